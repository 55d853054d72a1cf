// `gosleuth watch`: arguments, options and help; the action imports ./watch.ts when the command runs.
import { type Command, Option } from "commander";
import { durationMs, fetchOpts, nonNegativeInt, withFetch } from "../options.ts";

export function registerWatch(program: Command): void {
  withFetch(
    program
      .command("watch")
      .description("live terminal view of the top goroutine groups and their growth; ends with a leak report")
      .argument("<url>", "a /debug/pprof/goroutine?debug=2 URL")
      .addOption(
        new Option("--every <duration>", "refresh interval").default(10_000, "10s").argParser(durationMs),
      )
      .addOption(
        new Option("--count <n>", "stop after this many fetches, failed ones included (0: until Ctrl-C)")
          .default(0)
          .argParser(nonNegativeInt),
      )
      .option("--config <file>", "settings file (default: ./gosleuth.config.json when present)")
      .addHelpText(
        "after",
        `
A failed fetch (the service restarting, out of memory) is a gap, not the end: watch tries again, waiting
twice as long after each failure in a row (up to a minute), and says so at the top. Ctrl-C stops and prints
the leak report of the snapshots collected; a second Ctrl-C ends at once. "change" is since the previous
snapshot, "per min" the average over the snapshots kept (the last 30).

Examples:
  gosleuth watch 'http://localhost:2019/debug/pprof/goroutine?debug=2' --every 5s
  gosleuth watch 'http://127.0.0.1:2019/debug/pprof/goroutine?debug=2' --host-header localhost:2019`,
      ),
  ).action(async (url: string, o) => {
    await (await import("./watch.ts")).watchCommand(url, o, fetchOpts(o));
  });
}
