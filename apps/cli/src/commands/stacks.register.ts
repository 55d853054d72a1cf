// `gosleuth stacks`: arguments, options and help; the action imports ./stacks.ts when the command runs.
import { type Command, Option } from "commander";
import { fetchOpts, INPUT_HELP, nonNegativeInt, THREADS_HELP, THREADS_NOTE, withFetch } from "../options.ts";

export function registerStacks(program: Command): void {
  withFetch(
    program
      .command("stacks")
      .description("goroutines grouped by stack, the crash first, data races shown")
      .argument("<input>", INPUT_HELP)
      .addOption(
        new Option("--format <format>", "output format")
          .choices(["text", "md", "json", "html"])
          .default("text"),
      )
      .addOption(
        new Option(
          "--similarity <level>",
          "how alike arguments must be to share a group: exact, pointers (addresses may differ), any",
        )
          .choices(["exact", "pointers", "any"])
          .default("pointers"),
      )
      .option(
        "--match <re>",
        "keep groups with a frame or creator (function file:line) matching this regular expression",
      )
      .option("--filter <expr>", "the viewer's filter language, e.g. 'state:chan wait:>10 created:serveConn'")
      .addOption(
        new Option(
          "--sort <key>",
          "group order: count (largest first), wait (longest first), id (oldest first)",
        )
          .choices(["count", "wait", "id"])
          .default("count"),
      )
      .addOption(
        new Option(
          "--limit <n>",
          "show at most this many groups, 0 for all (default: 100; all with --format json)",
        ).argParser(nonNegativeInt),
      )
      .option("--threads <n>", THREADS_HELP, "auto")
      .addHelpText(
        "after",
        `
Each group: count, state(s), wait range, locked to thread, (leaked), labels, goroutine ids, every frame as
package  file.go:line  Function(args) (own code bold, dependencies in cyan, the standard library dim, on a
terminal; NO_COLOR and FORCE_COLOR are honoured), and its creator. Argument positions that differ within a
group print as *; a pointer value that several goroutines hold is named #1, #2... everywhere it appears.
A panic, fatal error or signal is shown first with the goroutine that crashed; race reports list each race.

${THREADS_NOTE}

Examples:
  gosleuth stacks crash.txt
  gosleuth stacks dump.txt --filter 'state:chan wait:>10' --limit 5
  gosleuth stacks dump.txt --match 'myapp/' --similarity any
  gosleuth stacks dump.txt --format html > stacks.html   # one page for an incident ticket
  gosleuth stacks dump.txt --format json | jq '.groups[0]'`,
      ),
  ).action(async (input: string, o) => {
    await (await import("./stacks.ts")).stacksCommand(input, o, fetchOpts(o));
  });
}
