// `gosleuth tree`: arguments, options and help; the action imports ./tree.ts when the command runs.
import { type Command, Option } from "commander";
import { fetchOpts, INPUT_HELP, nonNegativeInt, THREADS_HELP, THREADS_NOTE, withFetch } from "../options.ts";

export function registerTree(program: Command): void {
  withFetch(
    program
      .command("tree")
      .description("the spawn tree: aggregated by signature (default) or per goroutine")
      .argument("<input>", INPUT_HELP)
      .option(
        "--json",
        'print {"nodes": [...]} (id, parent, count, function, creator, state, waitMinutes, sampleIds)',
      )
      .option("--text", "print a tree(1)-style outline (default)")
      .option("--dot", "print Graphviz dot")
      .option("--root <id>", "start at this node (aggregated) or goroutine id (--per-goroutine)")
      .addOption(
        new Option(
          "--depth <n>",
          "levels to print (text outlines stop at 1,000 levels unless told more)",
        ).argParser(nonNegativeInt),
      )
      .addOption(
        new Option("--min-count <n>", "hide aggregated nodes with fewer goroutines").argParser(
          nonNegativeInt,
        ),
      )
      .option(
        "--per-goroutine",
        "one node per goroutine instead of aggregated groups (use --root for big dumps)",
      )
      .option("--threads <n>", `${THREADS_HELP} (aggregated tree)`, "auto")
      .addHelpText(
        "after",
        `
${THREADS_NOTE}

Examples:
  gosleuth tree dump.txt --depth 3 --min-count 10
  gosleuth tree dump.txt --per-goroutine --root 21 --depth 2
  gosleuth tree dump.txt --dot | dot -Tsvg > tree.svg`,
      ),
  ).action(async (input: string, o) => {
    await (await import("./tree.ts")).treeCommand(input, o, fetchOpts(o));
  });
}
