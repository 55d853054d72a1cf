// `gosleuth summary`: arguments, options and help; the action imports ./summary.ts when the command runs.
import type { Command } from "commander";
import { fetchOpts, INPUT_HELP, THREADS_HELP, THREADS_NOTE, withFetch } from "../options.ts";

export function registerSummary(program: Command): void {
  withFetch(
    program
      .command("summary")
      .description("format, counts per state, longest waits, top creators, spawn view and diagnostics")
      .argument("<input>", INPUT_HELP)
      .option("--json", "print one JSON object (format, goroutines, frames, states, diagnostics, bytes, ...)")
      .option("--threads <n>", THREADS_HELP, "auto")
      .addHelpText(
        "after",
        `
${THREADS_NOTE}

Examples:
  gosleuth summary goroutines.txt
  gosleuth summary dump.txt.gz --json | jq .states
  gosleuth summary http://localhost:6060/debug/pprof/goroutine?debug=2`,
      ),
  ).action(async (input: string, o) => {
    await (await import("./summary.ts")).summary(input, o, fetchOpts(o));
  });
}
