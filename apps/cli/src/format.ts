// The commands' human-readable output: whether it gets colour, and numbers and sizes for people.
import { formatCount } from "@gosleuth/model";
import pc from "picocolors";

export const n = formatCount;

/**
 * Whether output gets colour and bold: the one place every command asks. `--no-color` and NO_COLOR
 * (no-color.org: set and not empty) turn it off, FORCE_COLOR (other than 0/false) turns it on for a pipe
 * or a file, else only a terminal gets it.
 */
export function useColor(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
): boolean {
  if (argv.includes("--no-color") || env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "") return !/^(0|false)$/i.test(env.FORCE_COLOR);
  return Boolean(stream.isTTY) && env.TERM !== "dumb";
}

/** Decided once at start-up: `--no-color` is a program option, so it is in argv before any command runs. */
export const colorEnabled = useColor();
export const color = pc.createColors(colorEnabled);

/** A size for people: `12.3 MB`, `5.7 kB` under a tenth of a megabyte, `512 bytes` under a kilobyte. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${n(bytes)} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 100_000) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
