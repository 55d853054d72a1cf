// What naming an input involves before anything is opened: the fetch options, the file read size, telling a URL
// from a file. Kept apart from input.ts (the parser, the HTTP client) so that the command registrations and the
// parsing thread can use them without loading those.
export interface FetchOptions {
  /** Milliseconds before the request is abandoned (connecting and reading the whole body). */
  timeoutMs: number;
  /** Largest body accepted, in bytes (checked while streaming). */
  maxBytes: number;
  /** Optional Host header (for servers behind name-based routing, or Caddy's admin origin check). */
  hostHeader?: string;
  /** Abandons the request (e.g. on Ctrl-C); the body then ends with a CliError. */
  signal?: AbortSignal;
}

/**
 * File read size (file-chunks.ts reads into two buffers of this size in turn). The parser cuts reads into
 * 64 KiB pieces, whose strings and tokens die young. Each read is a turn of the event loop (its result
 * comes from libuv's pool): with 256 KiB reads the parsing thread waited 58–70 ms of a 0.9 s `summary`
 * for those turns on the 216k dump, with 1 MiB none (`--cpu-prof`'s idle samples; tooling/bench/README.md,
 * session 26).
 */
export const READ_CHUNK = 1024 * 1024;

export const DEFAULT_FETCH: FetchOptions = { timeoutMs: 30_000, maxBytes: 1024 ** 3 };

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}
