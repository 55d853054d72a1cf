// `gosleuth diff`: arguments, options and help; the action imports ./diff.ts when the command runs.
import { type Command, Option } from "commander";
import { fetchOpts, INPUT_HELP, withFetch } from "../options.ts";

export function registerDiff(program: Command): void {
  withFetch(
    program
      .command("diff")
      .description("compare two snapshots: groups new, gone, grown and shrunk")
      .argument("<before>", INPUT_HELP)
      .argument("<after>", INPUT_HELP)
      .addOption(
        new Option("--format <format>", "output format").choices(["text", "md", "json"]).default("text"),
      )
      .addHelpText(
        "after",
        "\nExamples:\n  gosleuth diff before.txt after.txt\n  gosleuth diff before.txt after.txt --format md",
      ),
  ).action(async (before: string, after: string, o) => {
    await (await import("./diff.ts")).diffCommand(before, after, o, fetchOpts(o));
  });
}
