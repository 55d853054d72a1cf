// `gosleuth fetch`: arguments, options and help; the action imports ./fetch.ts when the command runs.
import { type Command, Option } from "commander";
import { CliError } from "../errors.ts";
import { isUrl } from "../input-options.ts";
import { durationMs, fetchOpts, nonNegativeInt, withFetch } from "../options.ts";

export function registerFetch(program: Command): void {
  withFetch(
    program
      .command("fetch")
      .description("download a goroutine dump (or a series of them) from a pprof endpoint")
      .argument(
        "<url>",
        "a /debug/pprof/goroutine URL (debug=0/1/2, seconds=N, goroutineleak) or the /debug/pprof/ index",
      )
      .option(
        "--out <file>",
        "write here (with --count > 1: a pattern; {n} is replaced by the snapshot number)",
      )
      .addOption(new Option("--every <duration>", "take a snapshot at this interval").argParser(durationMs))
      .addOption(
        new Option("--count <n>", "with --every: number of fetches to make, failed ones included")
          .default(1)
          .argParser(nonNegativeInt),
      )
      .addHelpText(
        "after",
        `
Examples:
  gosleuth fetch 'http://localhost:6060/debug/pprof/goroutine?debug=2' --out dump.txt
  gosleuth fetch 'http://localhost:2019/debug/pprof/goroutine?debug=2' --every 30s --count 6 --out snap-{n}.txt
  gosleuth fetch http://localhost:6060/debug/pprof/     # prints the profile counts of the index page`,
      ),
  ).action(async (url: string, o) => {
    if (!isUrl(url))
      throw new CliError(
        `fetch takes an http(s) URL, not a file: "${url}" (a file is already fetched: pass it to the other commands)`,
      );
    await (await import("./fetch.ts")).fetchCommand(url, o, fetchOpts(o));
  });
}
