// Small text helpers shared by the commands' human-readable output.
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

/** `30s`, `2m`, `500ms`, `1h`, `14d` → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) throw new Error(`not a duration: "${s}" (use e.g. 500ms, 30s, 2m)`);
  const v = Number(m[1]);
  return v * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "s"] ?? 1000);
}

/** `1GB`, `512MB`, `100k`, `12345` → bytes. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: "${s}" (use e.g. 100MB, 1GB)`);
  const unit = (m[2] ?? "b").toLowerCase()[0]!;
  const mult = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return Math.round(Number(m[1]) * mult);
}
