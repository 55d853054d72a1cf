// Opens what the user named (file, `-`, URL) as a byte stream and runs it through the streaming parser with progress.
import { createReadStream, statSync } from "node:fs";
import type { DumpInfo, StreamItem } from "@gosleuth/model";
import { type ParseStream, parseStream } from "@gosleuth/parser";
import { CliError } from "./errors.ts";
import { openUrl } from "./http-client.ts";
import { Progress } from "./progress.ts";

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
 * File read size. The parser cuts reads into 64 KiB pieces, whose strings and tokens die young;
 * reads of 256 KiB keep the disk ahead of the parser. Smaller reads leave the parser waiting for the
 * disk; bigger ones were slower, and the pieces they keep alive add to the peak memory.
 */
export const READ_CHUNK = 256 * 1024;

export const DEFAULT_FETCH: FetchOptions = { timeoutMs: 30_000, maxBytes: 1024 ** 3 };

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

export type { UrlBody } from "./http-client.ts";
export { openUrl } from "./http-client.ts";

/** Opens a file, `-` or URL as bytes. */
export async function openInput(
  input: string,
  fetchOpts: FetchOptions = DEFAULT_FETCH,
): Promise<{ body: AsyncIterable<Uint8Array>; size?: number; name: string }> {
  if (input === "-") return { body: process.stdin, name: "stdin" };
  if (isUrl(input)) return { ...(await openUrl(input, fetchOpts)), name: input };
  let size: number;
  try {
    const st = statSync(input);
    if (st.isDirectory()) throw new CliError(`${input}: is a directory, not a dump file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") throw new CliError(`${input}: no such file`);
    if (code === "EACCES") throw new CliError(`${input}: permission denied`);
    throw new CliError(`${input}: ${(e as Error).message}`);
  }
  return { body: createReadStream(input, { highWaterMark: READ_CHUNK }), size, name: input };
}

export interface ParsedInput {
  stream: ParseStream;
  /** Info at the end; rejects with a CliError when the input is not a dump. */
  finish(): Promise<DumpInfo>;
  name: string;
}

/**
 * Opens and parses an input as a stream of goroutines/groups, with a progress bar on stderr for
 * big inputs on a terminal. Iterate `stream`, then call `finish()`.
 */
export async function parseInput(
  input: string,
  fetchOpts: FetchOptions = DEFAULT_FETCH,
  onPiece?: (items: StreamItem[]) => void,
): Promise<ParsedInput> {
  const { body, size, name } = await openInput(input, fetchOpts);
  const progress = new Progress(size, name);
  let count = 0;
  const counted = (items: StreamItem[]) => {
    for (const item of items) count += item.kind === "goroutine" ? 1 : item.count;
  };
  const inner = parseStream(body, {
    onProgress: (b) => progress.update(b, count),
    // A consumer that takes goroutines piece by piece (see the parser's onPiece) gets them here too.
    ...(onPiece && {
      onPiece: (items: StreamItem[]) => {
        counted(items);
        onPiece(items);
      },
    }),
  });
  async function* batches(): AsyncGenerator<StreamItem[]> {
    for await (const batch of inner.batches()) {
      counted(batch);
      yield batch;
    }
  }
  const stream: ParseStream = {
    info: inner.info,
    batches,
    async *[Symbol.asyncIterator](): AsyncGenerator<StreamItem> {
      for await (const batch of batches()) yield* batch;
    },
  };
  return {
    stream,
    name,
    async finish() {
      const info = await inner.info;
      progress.stop();
      return checkInfo(name, info);
    },
  };
}

/** Turns a parse that found no dump, or could not read its input, into a CliError (exit code 2). */
export function checkInfo(name: string, info: DumpInfo): DumpInfo {
  const fatal = info.diagnostics.find((d) => d.severity === "error");
  if (info.format === "unknown" && fatal) {
    throw new CliError(`${name}: ${fatal.message.replace(/^@gosleuth\/parser: /, "")}`, 2);
  }
  if (fatal && /size cap|reading the input failed/.test(fatal.message)) {
    throw new CliError(`${name}: ${fatal.message.replace(/^@gosleuth\/parser: (line \d+: )?/, "")}`, 2);
  }
  return info;
}

/** Parses an input fully into memory (for commands that need every goroutine: tree, leaks, diff). */
export async function loadDump(input: string, fetchOpts: FetchOptions = DEFAULT_FETCH) {
  const p = await parseInput(input, fetchOpts);
  const goroutines = [];
  const groups = [];
  for await (const batch of p.stream.batches()) {
    for (const item of batch) {
      if (item.kind === "goroutine") goroutines.push(item);
      else groups.push(item);
    }
  }
  const info = await p.finish();
  return { ...info, goroutines, groups, name: p.name };
}
