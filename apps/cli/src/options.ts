// What several commands share on their command line: value parsers that turn a bad value into commander's
// usage error (exit 2), the URL options (--timeout, --max-bytes, --host-header) and the help texts for inputs
// and threads.
import { type Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_FETCH, type FetchOptions } from "./input-options.ts";

export const INPUT_HELP = "a dump file (.gz is read transparently), - for stdin, or an http(s) URL";

/** `30s`, `2m`, `500ms`, `1h`, `14d` → milliseconds (a bare number is seconds). */
export function durationMs(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`not a duration: "${v}" (use e.g. 500ms, 30s, 2m)`);
  const x = Number(m[1]);
  return x * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "s"] ?? 1000);
}

/** `1GB`, `512MB`, `100k`, `12345` → bytes (units are powers of 1024). */
export function byteSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`not a size: "${v}" (use e.g. 100MB, 1GB)`);
  const unit = (m[2] ?? "b").toLowerCase()[0]!;
  const mult = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/** `--host-header`: a host name or bracketed IPv6 address, with an optional port. */
export function hostHeader(v: string): string {
  if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/.test(v))
    throw new InvalidArgumentError(`not a host or host:port: "${v}"`);
  return v;
}
export function pathMap(
  v: string,
  previous: { from: string; to: string }[] = [],
): { from: string; to: string }[] {
  const i = v.indexOf("=");
  if (i <= 0) throw new InvalidArgumentError(`expected FROM=TO (TO may be empty), got "${v}"`);
  return [...previous, { from: v.slice(0, i), to: v.slice(i + 1) }];
}
export function sarifCategory(v: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?$/.test(v))
    throw new InvalidArgumentError(`not a category: "${v}" (letters, digits, . _ - and / between words)`);
  return v;
}
export function modulePath(v: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._~/-]*$/.test(v) || v.endsWith("/"))
    throw new InvalidArgumentError(`not a Go module path: "${v}" (e.g. github.com/acme/shop)`);
  return v;
}
export function nonNegativeInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new InvalidArgumentError(`not a non-negative integer: "${v}"`);
  return x;
}

export const THREADS_HELP =
  "parsing threads for a big plain-text dump file: a number, or auto (one fewer than the cores, at most 4, for files of 64 MB and more; on two cores two threads for files of 512 MiB and more, one in stacks; one thread on one core)";
export const THREADS_NOTE = `A dump file of 64 MB or more is cut at goroutine boundaries and parsed on several threads when the
machine has three cores or more (each thread needs V8's compiler and garbage collector beside it). On two
cores a second thread costs about half again the CPU and pays off only on long parses: auto takes it for
files of 512 MiB or more, except in stacks, whose two threads need more memory (--threads 2 forces it,
--threads 1 refuses it). The result is the same as on one thread (--threads 1).
Standard input, URLs, .gz files and debug=1/debug=0 profiles are parsed on one thread.`;

/** Options every command that reads a URL accepts. */
export function withFetch(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--timeout <duration>", "give up on a URL after this long")
        .default(30_000, "30s")
        .argParser(durationMs),
    )
    .addOption(
      new Option("--max-bytes <size>", "refuse bodies (and decompressed dumps) larger than this")
        .default(1024 ** 3, "1GB")
        .argParser(byteSize),
    )
    .addOption(
      new Option(
        "--host-header <host>",
        "send this Host header with URL requests (e.g. localhost:2019)",
      ).argParser(hostHeader),
    );
}

export function fetchOpts(o: { timeout?: number; maxBytes?: number; hostHeader?: string }): FetchOptions {
  const f: FetchOptions = {
    timeoutMs: o.timeout ?? DEFAULT_FETCH.timeoutMs,
    maxBytes: o.maxBytes ?? DEFAULT_FETCH.maxBytes,
  };
  if (o.hostHeader) f.hostHeader = o.hostHeader;
  return f;
}
