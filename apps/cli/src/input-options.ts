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
 * File read size (file-chunks.ts reads into one buffer of this size). The parser cuts reads into 64 KiB
 * pieces, whose strings and tokens die young. With the earlier stream of fresh buffers, smaller reads left
 * the parser waiting for the disk and bigger ones were slower; with one reused buffer 64 KiB, 256 KiB and
 * 1 MiB measured alike on the 216k dump.
 */
export const READ_CHUNK = 256 * 1024;

export const DEFAULT_FETCH: FetchOptions = { timeoutMs: 30_000, maxBytes: 1024 ** 3 };

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}
