// Runs the program and turns what went wrong into one stderr line and an exit code.
import { escapeControl } from "@gosleuth/text";
import { type Command, CommanderError } from "commander";
import { CliError } from "./errors.ts";

const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

/** A usage error as the one line a CI log shows: what was wrong and where the help is. */
function usageLine(program: Command, e: CommanderError, argv: readonly string[]): string {
  if (e.code === "commander.help") {
    // Commander would print the whole help as the error: no command, or `help` of one that does not exist.
    const word = argv.slice(2).find((a) => !a.startsWith("-") && a !== "help");
    return word
      ? `gosleuth: unknown command '${escapeControl(word)}' (see gosleuth --help)`
      : "gosleuth: no command given (see gosleuth --help for the commands)";
  }
  const msg = e.message
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
  const sub = program.commands.find((c) => argv.includes(c.name()));
  return `gosleuth: ${escapeControl(msg)} (see gosleuth ${sub ? `${sub.name()} ` : ""}--help)`;
}

/**
 * Runs the command that argv names and sets process.exitCode by what happened: 0 ok, 1 (set by a command) an
 * incident reached --fail-on, 2 a usage or input error as one stderr line, 70 an internal error.
 */
export async function run(program: Command, argv: string[]): Promise<void> {
  // `gosleuth ... | head`: a closed pipe ends the program quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  if (argv.length <= 2) {
    process.stderr.write("gosleuth: no command given (see gosleuth --help for the commands)\n");
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      if (e.exitCode !== 0) {
        process.stderr.write(`${usageLine(program, e, argv)}\n`);
        process.exitCode = 2;
      }
      return;
    }
    if (e instanceof CliError) {
      // Messages quote inputs (file names, URLs, dump text): control characters escaped, and one line.
      process.stderr.write(`gosleuth: ${escapeControl(e.message)}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    // A file that cannot be opened or written (`--out` into a missing folder, a read-only place) is the user's
    // input, not a bug in gosleuth.
    const sys = e as NodeJS.ErrnoException;
    if (sys.path && sys.code && FILE_ERRORS[sys.code]) {
      process.stderr.write(`gosleuth: ${escapeControl(sys.path)}: ${FILE_ERRORS[sys.code]}\n`);
      process.exitCode = 2;
      return;
    }
    if (process.env.GOSLEUTH_DEBUG) throw e;
    process.stderr.write(
      `gosleuth: internal error: ${(e as Error).message} (set GOSLEUTH_DEBUG=1 for a stack trace, and please report it)\n`,
    );
    process.exitCode = 70;
  }
}
