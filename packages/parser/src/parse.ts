// The package's entry points: whole inputs (parseDump, parseDumpAsync), streams (parseStream), byte
// ranges of one file parsed apart (parseFragment), and cheap looks at an input's head.
import type { Dump, DumpFormat, DumpInfo, Goroutine, GoroutineGroup, StreamItem } from "@gosleuth/model";
import { chunksOf, copyBytes, GunzipLimitError, gunzip, PIECE_SIZE } from "./chunker.ts";
import { detect } from "./detect.ts";
import type { FragmentInfo } from "./fragments.ts";
import { concat, Session } from "./session.ts";

/** How many first bytes tell gzip apart (its magic number, 1f 8b). */
const GZIP_MAGIC_BYTES = 2;

/** How much of a text head detectFormat parses to tell a panic, a signal dump and debug=2 apart. */
const FORMAT_HEAD_BYTES = 64 * 1024;

/**
 * Bytes or text, in chunks. A source may read every chunk into the same buffer: the parser keeps nothing of a
 * chunk once it asks for the next one but copies (the CLI reads files that way).
 */
export type ParseSource =
  | AsyncIterable<Uint8Array | string>
  | ReadableStream<Uint8Array>
  | Iterable<Uint8Array | string>;

export interface ParseOptions {
  /** Called after each read chunk with the number of (decompressed) bytes read so far. */
  onProgress?: (bytesRead: number) => void;
  /** Stops parsing; the stream ends early and `info` carries an error diagnostic. */
  signal?: AbortSignal;
  /** Cap on decompressed bytes for gzip input (default 8 GiB). */
  maxDecompressedBytes?: number;
  /** Text piece size in bytes or characters (tests use tiny pieces; default 64 KiB). */
  pieceSize?: number;
  /**
   * Receives the goroutines of each piece as soon as it is parsed (a read can hold several pieces);
   * the batches then carry only what is left. Fewer goroutines are alive at once: when frames are not
   * shared (arguments differ everywhere), the batch of a whole read outlived young-generation GCs.
   */
  onPiece?: (items: StreamItem[]) => void;
  /**
   * Keep every line outside goroutine blocks as read (default true: `formatDump` gives the input
   * back). False for consumers that only read what those lines say: past the first 10,000 lines that
   * can only be diagnostics (a log's own lines around a dump), each is `OMITTED_LINE` in the
   * preamble, `leading` and trailer lists; everything else in the model is the same.
   */
  lossless?: boolean;
}

export interface ParseStream extends AsyncIterable<StreamItem> {
  /** Everything but the goroutines, resolved when the stream ends (or is abandoned). */
  readonly info: Promise<DumpInfo>;
  /**
   * The same items in batches (one per parsed piece): one await per batch instead of one per
   * goroutine, for hot consumers. Use either this or the item iterator, not both.
   */
  batches(): AsyncIterable<StreamItem[]>;
}

/** Parses a whole dump held in memory. Never throws on input. Gzip input needs parseDumpAsync. */
export function parseDump(
  input: string | Uint8Array,
  options: Pick<ParseOptions, "pieceSize" | "lossless"> = {},
): Dump {
  const s = new Session(options.pieceSize, undefined, options.lossless ?? true);
  const goroutines: Goroutine[] = [];
  // Feed in slices so the grammar never sees more than a piece at a time.
  const step = PIECE_SIZE;
  if (typeof input !== "string") {
    s.bytes = input.length;
    if (detect(input) === "gzip") {
      s.builder.diag("error", 1, "gzip input: use parseDumpAsync (or gunzip first)", "");
    } else {
      // The streaming path's byte handling, so bytes are told apart (text, debug=1, protobuf) alike.
      for (let i = 0; i < input.length; i += step) {
        s.feedBytes(input.subarray(i, i + step));
        for (const g of s.drain()) goroutines.push(g);
      }
    }
  } else {
    s.bytes = byteLength(input);
    for (let i = 0; i < input.length; i += step) {
      s.feed(input.slice(i, i + step));
      for (const g of s.drain()) goroutines.push(g);
    }
  }
  const info = s.finish();
  for (const g of s.drain()) goroutines.push(g);
  return { ...info, goroutines, groups: s.groups };
}

/** The length of `s` in UTF-8 as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 units, 4 bytes
      i++;
    } else n += 2; // 3 bytes: the rest of the BMP, and a lone surrogate
  }
  return n;
}

/** Streams a dump: yields goroutines (or debug=1 groups) as they complete; memory stays bounded. */
export function parseStream(source: ParseSource, options: ParseOptions = {}): ParseStream {
  let resolveInfo!: (i: DumpInfo) => void;
  const info = new Promise<DumpInfo>((r) => {
    resolveInfo = r;
  });
  const gen = runSession(source, options, (s) => resolveInfo(s.finish()));
  async function* items(): AsyncGenerator<StreamItem> {
    for await (const batch of gen) yield* batch;
  }
  return {
    info,
    batches: () => gen,
    [Symbol.asyncIterator]: () => items(),
  };
}

/**
 * Parses one fragment of a dump (a byte range of a file cut at a goroutine boundary, see
 * FragmentInfo): batches as parseStream gives them, then the fragment's raw results, which
 * mergeFragments turns, with the other fragments', into the whole input's DumpInfo.
 */
export function parseFragment(
  source: ParseSource,
  options: ParseOptions = {},
): { batches(): AsyncIterable<StreamItem[]>; readonly fragment: Promise<FragmentInfo> } {
  let resolve!: (f: FragmentInfo) => void;
  const fragment = new Promise<FragmentInfo>((r) => {
    resolve = r;
  });
  const gen = runSession(source, options, (s) => resolve(s.collect()));
  return { fragment, batches: () => gen };
}

/** Runs a session over a source, yielding batches; `end` is called once, when the stream ends or is abandoned. */
async function* runSession(
  source: ParseSource,
  options: ParseOptions,
  end: (s: Session) => void,
): AsyncGenerator<StreamItem[]> {
  const s = new Session(options.pieceSize, options.onPiece, options.lossless ?? true);
  let complete = false;
  try {
    const it = chunksOf(source)[Symbol.asyncIterator]();
    let first = await it.next();
    // The gzip magic is two bytes: a first read shorter than that (even empty) is joined to what follows.
    while (!first.done && typeof first.value !== "string" && first.value.length < GZIP_MAGIC_BYTES) {
      const held = copyBytes(first.value);
      const next = await it.next();
      if (next.done) break;
      if (typeof next.value === "string") {
        // A source mixing bytes and text: hand the bytes to the session as they came.
        s.bytes += held.length;
        s.feedBytes(held);
        first = next;
        break;
      }
      first = { done: false, value: concat([held, next.value]) };
    }
    let bytes: AsyncIterator<Uint8Array | string> = it;
    if (!first.done && typeof first.value !== "string" && detect(first.value) === "gzip") {
      bytes = gunzip(first.value, it, options.maxDecompressedBytes ?? 8 * 1024 ** 3)[Symbol.asyncIterator]();
      first = await bytes.next();
    }
    let cur = first;
    // Whether the last text chunk ended with the first half of a surrogate pair (counted as a lone one).
    let highAtEnd = false;
    while (!cur.done) {
      if (options.signal?.aborted) {
        s.builder.diag("error", s.builder.line, "parsing cancelled", "");
        break;
      }
      const chunk = cur.value;
      if (typeof chunk === "string") {
        s.bytes += byteLength(chunk);
        // A pair split between two chunks is 4 bytes, not two lone surrogates' 3 each.
        if (chunk.length > 0) {
          if (highAtEnd && (chunk.charCodeAt(0) & 0xfc00) === 0xdc00) s.bytes -= 2;
          highAtEnd = (chunk.charCodeAt(chunk.length - 1) & 0xfc00) === 0xd800;
        }
        s.feed(chunk);
      } else {
        s.bytes += chunk.length;
        s.feedBytes(chunk);
      }
      options.onProgress?.(s.bytes);
      const out = s.drain();
      if (out.length > 0) yield out;
      cur = await bytes.next();
    }
    complete = true;
  } catch (e) {
    const msg =
      e instanceof GunzipLimitError ? e.message : `reading the input failed: ${(e as Error).message}`;
    s.builder.diag("error", s.builder.line, msg, "");
    complete = true;
  } finally {
    if (!complete) {
      // The consumer stopped early (or reading failed): still settle with what was read.
      queueMicrotask(() => end(s));
    }
  }
  end(s);
  const last: StreamItem[] = s.drain();
  for (const g of s.groups) last.push(g);
  if (last.length > 0) yield last;
}

/**
 * Splits a dump that holds several dumps (a log with two SIGQUITs, a panic after a SIGQUIT) into one
 * Dump per dump, in input order. Each later dump's preamble is the raw text between the dumps.
 */
export function splitDumps(dump: Dump): Dump[] {
  if (dump.dumpCount <= 1) return [dump];
  const out: Dump[] = [];
  for (let i = 0; i < dump.dumpCount; i++) {
    const goroutines = dump.goroutines.filter((g) => g.dumpIndex === i);
    if (i === 0) {
      out.push({ ...dump, goroutines, dumpCount: 1 });
      continue;
    }
    const lines = goroutines[0]?.leading ?? [];
    const sub = parseDump(lines.join("\n"));
    out.push({
      ...dump,
      format:
        sub.format === "unknown"
          ? dump.format
          : sub.format === "debug2" && goroutines.length > 0
            ? "debug2"
            : sub.format,
      preamble: sub.preamble,
      goroutines,
      groups: [],
      dumpCount: 1,
    });
  }
  return out;
}

/** Collects a stream into a Dump (handles .gz and, when supported, debug=0 protobuf). */
export async function parseDumpAsync(source: ParseSource, options: ParseOptions = {}): Promise<Dump> {
  const goroutines: Goroutine[] = [];
  const groups: GoroutineGroup[] = [];
  const stream = parseStream(source, options);
  for await (const item of stream) {
    if (item.kind === "goroutine") goroutines.push(item);
    else groups.push(item);
  }
  const info = await stream.info;
  return { ...info, goroutines, groups };
}

/**
 * Whether input starting with these bytes is a text dump of goroutine blocks (what parseFragment can
 * take in parts), as opposed to gzip, a protobuf profile or a debug=1 profile. Cheap: no parsing.
 */
export function isBlockText(head: Uint8Array): boolean {
  return detect(head) === "blocks";
}

/** The family of a dump from its first bytes (a few KB are enough). */
export function detectFormat(head: string | Uint8Array): DumpFormat {
  const family = detect(head);
  if (family === "gzip" || family === "debug0") return "debug0";
  if (family === "debug1") return "debug1";
  const text =
    typeof head === "string" ? head : new TextDecoder().decode(head.subarray(0, FORMAT_HEAD_BYTES));
  return parseDump(text.slice(0, lastLineEnd(text))).format;
}

function lastLineEnd(s: string): number {
  const i = s.lastIndexOf("\n");
  return i === -1 ? s.length : i + 1;
}
