// Opens what the user named (file, `-`, URL) as a byte stream and runs it through the streaming parser with progress.
import { statSync } from "node:fs";
import type { DumpInfo, StreamItem } from "@gosleuth/model";
import { type ParseStream, parseStream } from "@gosleuth/parser";
import { CliError } from "./errors.ts";
import { fileChunks } from "./file-chunks.ts";
import { DEFAULT_FETCH, type FetchOptions, isUrl } from "./input-options.ts";
import { Progress } from "./progress.ts";

export { type FetchOptions, isUrl } from "./input-options.ts";

/** Opens a file, `-` or URL as bytes. */
export async function openInput(
  input: string,
  fetchOpts: FetchOptions = DEFAULT_FETCH,
): Promise<{ body: AsyncIterable<Uint8Array>; size?: number; name: string }> {
  if (input === "-") return { body: process.stdin, name: "stdin" };
  if (isUrl(input)) {
    // node:http, node:https and TLS take a while to load: only a URL input pays for them.
    const { openUrl } = await import("./http-client.ts");
    return { ...(await openUrl(input, fetchOpts)), name: input };
  }
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
  return { body: fileChunks(input), size, name: input };
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
  /** False: the model need not give the text back (see the parser's `lossless` option). */
  lossless = true,
): Promise<ParsedInput> {
  const { body, size, name } = await openInput(input, fetchOpts);
  const progress = new Progress(size, name);
  let count = 0;
  const counted = (items: StreamItem[]) => {
    for (const item of items) count += item.kind === "goroutine" ? 1 : item.count;
  };
  const inner = parseStream(body, {
    lossless,
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

/**
 * Parses an input fully into memory (for commands that need every goroutine: leaks over snapshots, diff,
 * watch). They read what the text around a dump says, never the text: a log's own lines past the first
 * 10,000 are not kept (the parser's `lossless: false`).
 */
export async function loadDump(input: string, fetchOpts: FetchOptions = DEFAULT_FETCH) {
  const p = await parseInput(input, fetchOpts, undefined, false);
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
