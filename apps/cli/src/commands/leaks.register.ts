// `gosleuth leaks`: arguments, options and help; the action imports ./leaks.ts when the command runs.
import { type Command, Option } from "commander";
import {
  durationMs,
  fetchOpts,
  INPUT_HELP,
  modulePath,
  nonNegativeInt,
  pathMap,
  sarifCategory,
  THREADS_HELP,
  THREADS_NOTE,
  withFetch,
} from "../options.ts";

export function registerLeaks(program: Command): void {
  withFetch(
    program
      .command("leaks")
      .description("rank leak suspects with reasons; several inputs are snapshots in time order")
      .argument("<inputs...>", `${INPUT_HELP} (several: snapshots of one process, oldest first)`)
      .addOption(
        new Option("--format <format>", "output format")
          .choices(["text", "md", "json", "sarif"])
          .default("text"),
      )
      .addOption(
        new Option(
          "--fail-on <severity>",
          "exit 1 when an incident (one cause: its groups counted once) has this severity or worse",
        ).choices(["high", "medium", "low"]),
      )
      .option("--config <file>", "settings file (default: ./gosleuth.config.json when present)")
      .addOption(
        new Option(
          "--every <duration>",
          "with one URL: poll it at this interval and report growth",
        ).argParser(durationMs),
      )
      .addOption(
        new Option("--count <n>", "with --every: number of fetches to make, failed ones included")
          .default(6)
          .argParser(nonNegativeInt),
      )
      .addOption(
        new Option(
          "--interval <duration>",
          "several files: the time between snapshots when the files' times cannot tell (default: one minute, said to be assumed)",
        ).argParser(durationMs),
      )
      .option("--threads <n>", `${THREADS_HELP} (one input)`, "auto")
      .addOption(
        new Option(
          "--path-map <from=to>",
          "SARIF: rewrite dump paths that start with FROM to start with TO, a path in the repository (repeatable; TO may be empty)",
        ).argParser(pathMap),
      )
      .addOption(
        new Option(
          "--sarif-category <id>",
          "SARIF: automationDetails.id, which code scanning uses as the category (upload-sarif's category: does not replace it); one per service or job",
        )
          .default("gosleuth/leaks", "gosleuth/leaks")
          .argParser(sarifCategory),
      )
      .addOption(
        new Option(
          "--module <path>",
          "SARIF: the Go module path; its files are the repository's (default: ./go.mod's module, its folder in the repository)",
        ).argParser(modulePath),
      )
      .addHelpText(
        "after",
        `
${THREADS_NOTE}

SARIF places each result at the nearest frame in the repository's own code (the module's files, or
paths --path-map rewrites), else at the blocking frame with a message that says so; frames outside
the repository are related information. gosleuth.config.json may hold the same under "sarif":
{ "sarif": { "pathMap": { "leakybank/": "services/leakybank/" }, "module": "github.com/acme/shop" } }.

Examples:
  gosleuth leaks dump.txt
  gosleuth leaks t0.txt t1.txt t2.txt --format md > leaks.md
  gosleuth leaks dump.txt --format sarif --path-map /build/src/= > gosleuth.sarif  # code scanning
  gosleuth leaks http://localhost:6060/debug/pprof/goroutine?debug=2 --every 30s --count 6
  gosleuth leaks dump.txt --format json --fail-on high       # CI gate`,
      ),
  ).action(async (inputs: string[], o) => {
    process.exitCode = await (await import("./leaks.ts")).leaksCommand(inputs, o, fetchOpts(o));
  });
}
