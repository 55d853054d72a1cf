// `gosleuth parse`: arguments, options and help; the action imports ./parse.ts when the command runs.
import type { Command } from "commander";
import { fetchOpts, INPUT_HELP, withFetch } from "../options.ts";

export function registerParse(program: Command): void {
  withFetch(
    program
      .command("parse")
      .description("stream the parsed model: one JSON object per goroutine (NDJSON)")
      .argument("<input>", INPUT_HELP)
      .option("--ndjson", "newline-delimited JSON (the only output format; accepted for clarity)", true)
      .addHelpText(
        "after",
        `
Each line: {"id", "state", "stateClass", "waitMinutes", "frames": [{"function","file","line"}],
"createdBy": {"function","file","line","parentId"} | null, "lines": {"start","end"}}.
debug=1 inputs give one object per group ({"kind":"group","count",...}).

Examples:
  gosleuth parse dump.txt --ndjson | head -3
  gosleuth parse dump.txt --ndjson | jq -r 'select(.waitMinutes > 10) | .id'`,
      ),
  ).action(async (input: string, o) => {
    await (await import("./parse.ts")).parseCommand(input, fetchOpts(o));
  });
}
