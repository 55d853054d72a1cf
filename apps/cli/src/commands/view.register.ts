// `gosleuth view`: arguments, options and help; the action imports ./view.ts when the command runs.
import { type Command, Option } from "commander";
import { CliError } from "../errors.ts";
import { isUrl } from "../input-options.ts";
import { nonNegativeInt } from "../options.ts";

export function registerView(program: Command): void {
  program
    .command("view")
    .description("open the viewer on a dump: serves the web app and the dump on loopback")
    .argument("<input>", "a dump file (.gz too); not - or a URL: save those to a file first")
    .addOption(new Option("--port <n>", "port (0: any free port)").default(0).argParser(nonNegativeInt))
    .option("--host <host>", "address to bind (another than loopback only when you mean it)", "127.0.0.1")
    .option("--no-open", "do not open a browser")
    .addHelpText(
      "after",
      `
The address printed carries a token made for this run: the dump is served only at that address, only to
a request that names the server by a loopback name (or --host) and is not sent from another site's page.

Examples:
  gosleuth view dump.txt
  gosleuth view dump.txt.gz --port 8080 --no-open`,
    )
    .action(async (input: string, o) => {
      if (input === "-" || isUrl(input))
        throw new CliError(
          `view serves a dump file, not ${input === "-" ? "standard input" : "a URL"}: save it first (gosleuth fetch URL --out dump.txt, or > dump.txt)`,
        );
      await (await import("./view.ts")).viewCommand(input, o);
    });
}
