// @gosleuth/parser: goroutine dumps in, the gosleuth model out (whole inputs or streams of any size).
import type {
  Diagnostic,
  Dump,
  DumpFormat,
  DumpInfo,
  Frame,
  Goroutine,
  GoroutineGroup,
  Register,
  StreamItem,
} from "@gosleuth/model";
import { MAX_DIAGNOSTICS, ModelBuilder } from "./builder.ts";
import {
  ByteSplitter,
  chunksOf,
  GunzipLimitError,
  gunzip,
  isGzip,
  PIECE_SIZE,
  PieceSplitter,
} from "./chunker.ts";
import { decodeDebug0, isProfileProto } from "./debug0.ts";
import { parseDebug1Impl } from "./debug1-lite.ts";
import { releaseInternedFrames } from "./fields.ts";
import { parseText } from "./parser.ts";
import { parseRaceReports } from "./race.ts";

export { firstByteBoundary } from "./chunker.ts";
export { formatDump, formatGoroutine } from "./format.ts";
export { functionName } from "./function-name.ts";
export { classifyState } from "./state.ts";

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

const PROFILE_HEAD = /^\s*(\w+) profile: total (\d+)/;

/** A parsing session: text in (in any pieces), goroutines out, info at the end. */
class Session {
  readonly b = new ModelBuilder();
  private readonly splitter: PieceSplitter;
  private readonly byteSplitter: ByteSplitter;
  bytes = 0;
  private mode: "detect" | "blocks" | "debug1" | "debug0" = "detect";
  private protoBytes: Uint8Array[] = [];
  private head = "";
  private headBytes: Uint8Array[] = [];
  private readonly decoder = new TextDecoder("utf-8");
  private debug1Text: string[] = [];
  groups: GoroutineGroup[] = [];
  total?: number;
  profileName?: string;
  private endedWithNewline = false;

  constructor(
    pieceSize?: number,
    private readonly onPiece?: (items: StreamItem[]) => void,
  ) {
    this.splitter = new PieceSplitter(pieceSize);
    this.byteSplitter = new ByteSplitter(pieceSize);
  }

  private parse(piece: string): void {
    parseText(piece, this.b);
    if (this.onPiece !== undefined && this.b.out.length > 0) this.onPiece(this.drain());
  }

  /** Text input (parseDump on a string, or a stream of strings). */
  feed(text: string): void {
    if (text.length === 0) return;
    this.endedWithNewline = text.charCodeAt(text.length - 1) === 10;
    if (this.mode === "detect") {
      this.head += text;
      if (this.head.length < 256 && this.head.indexOf("\n") === -1) return;
      this.head = this.withoutBomText(this.head);
      this.mode = PROFILE_HEAD.test(this.head) ? "debug1" : "blocks";
      text = this.head;
      this.head = "";
    }
    if (this.mode === "debug1") {
      this.debug1Text.push(text);
      return;
    }
    const piece = this.splitter.push(text);
    if (piece !== null) this.parse(piece);
  }

  /** Byte input: split at boundaries before decoding (multi-byte characters are never cut). */
  feedBytes(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.endedWithNewline = chunk[chunk.length - 1] === 10;
    if (this.mode === "debug0") {
      this.protoBytes.push(chunk);
      return;
    }
    if (this.mode === "detect") {
      this.headBytes.push(chunk);
      const n = this.headBytes.reduce((a, c) => a + c.length, 0);
      // Decide on 256 bytes, or on a first line of 16 or more (however small the chunks come).
      if (n < 256 && (n < 16 || this.headBytes.every((c) => c.indexOf(10) === -1))) return;
      const head = this.withoutBom(this.headBytes.length === 1 ? chunk : concat(this.headBytes));
      this.headBytes = [head];
      if (isProfileProto(head)) {
        this.mode = "debug0";
        this.protoBytes.push(head);
        this.headBytes = [];
        return;
      }
      const headText = this.decoder.decode(head, { stream: true });
      this.mode = PROFILE_HEAD.test(headText) ? "debug1" : "blocks";
      if (this.mode === "debug1") this.debug1Text.push(headText);
      else for (const c of this.headBytes) this.pushBytes(c);
      this.headBytes = [];
      return;
    }
    if (this.mode === "debug1") this.debug1Text.push(this.decoder.decode(chunk, { stream: true }));
    else this.pushBytes(chunk);
  }

  private readonly parsePiece = (piece: string): void => this.parse(piece);

  /** The head without a UTF-8 byte-order mark (an editor's, never the runtime's), said in a diagnostic. */
  private withoutBom(head: Uint8Array): Uint8Array {
    if (head[0] !== 0xef || head[1] !== 0xbb || head[2] !== 0xbf) return head;
    this.bomSkipped();
    return head.subarray(3);
  }

  /** The same for text input (a string that starts with U+FEFF). */
  private withoutBomText(head: string): string {
    if (head.charCodeAt(0) !== 0xfeff) return head;
    this.bomSkipped();
    return head.slice(1);
  }

  private bomSkipped(): void {
    this.b.diag("info", 1, "a byte-order mark (U+FEFF) at the start was skipped", "");
  }

  private pushBytes(c: Uint8Array): void {
    this.byteSplitter.push(c, this.parsePiece);
  }

  drain(): Goroutine[] {
    const out = this.b.out;
    this.b.out = [];
    return out;
  }

  /** Ends the text and gathers this session's raw results, uninterpreted (see FragmentInfo). */
  collect(): FragmentInfo {
    if (this.mode === "detect" && this.headBytes.length > 0) {
      this.headBytes = [this.withoutBom(concat(this.headBytes))];
      if (isProfileProto(this.headBytes[0]!)) {
        this.mode = "debug0";
        this.protoBytes.push(this.headBytes[0]!);
        this.headBytes = [];
      }
    }
    if (this.mode === "detect") {
      this.head = this.withoutBomText(this.head);
      const head = this.head + (this.headBytes.length > 0 ? this.decoder.decode(concat(this.headBytes)) : "");
      this.mode = PROFILE_HEAD.test(head) ? "debug1" : "blocks";
      if (this.mode === "debug1") this.debug1Text.push(head);
      else if (head.length > 0) this.splitter.push(head);
      this.head = "";
      this.headBytes = [];
    }
    if (this.mode === "debug0") {
      const r = decodeDebug0(concat(this.protoBytes));
      this.protoBytes = [];
      this.groups = r.groups;
      this.total = r.total;
      this.profileName = r.profileName;
      for (const d of r.diagnostics) this.b.diagnostics.push(d);
    } else if (this.mode === "debug1") {
      this.debug1Text.push(this.decoder.decode());
      const r = parseDebug1Impl(this.debug1Text.join(""), this.b);
      this.groups = r.groups;
      this.total = r.total;
      this.profileName = r.profileName;
    } else {
      const restBytes = this.byteSplitter.end();
      if (restBytes.length > 0) parseText(restBytes, this.b);
      const rest = this.splitter.end();
      if (rest.length > 0) parseText(rest, this.b);
    }
    const trailer = this.b.finishTrailer();
    const b = this.b;
    const f: FragmentInfo = {
      mode: this.mode,
      bytes: this.bytes,
      lines: b.line - 1,
      dumpsStarted: b.dumpIndex,
      goroutines: b.goroutineCount,
      groups: this.groups.length,
      diagnostics: b.diagnostics,
      dropped: b.droppedDiagnostics,
      preambleLines: b.preambleLines,
      trailer,
      registers: b.registers,
      runtimeStack: b.runtimeStack,
      endedWithNewline: this.endedWithNewline,
      cleanStart: b.preambleLines.length === 0,
      cleanEnd: trailer.length <= 1 && trailer.every((l) => l.trim() === ""),
    };
    if (this.total !== undefined) f.total = this.total;
    if (this.profileName !== undefined) f.profileName = this.profileName;
    return f;
  }

  finish(): DumpInfo {
    const info = mergeFragments([this.collect()]).info;
    // A whole input is done: let the frame table go. (A fragment keeps it: the next range of the same
    // dump, on the same thread, shares most frames.)
    releaseInternedFrames();
    return info;
  }
}

/**
 * What one parsing session saw, before interpretation: the parts of a dump that a parallel parse
 * (byte ranges of one file, each cut at a goroutine boundary and parsed on its own thread) gives back
 * to be merged by mergeFragments. Line numbers, `dumpIndex` and goroutine `lines` are local to the
 * fragment; the object is plain data (it survives postMessage).
 */
export interface FragmentInfo {
  mode: "detect" | "blocks" | "debug1" | "debug0";
  bytes: number;
  /** Lines consumed (newlines seen). */
  lines: number;
  /** Dumps that started inside this fragment after its first one. */
  dumpsStarted: number;
  goroutines: number;
  /** debug=1/debug=0 groups (they are yielded by the stream). */
  groups: number;
  /** Diagnostics in input order, at most MAX_DIAGNOSTICS, with fragment-local line numbers. */
  diagnostics: Diagnostic[];
  dropped: number;
  preambleLines: string[];
  trailer: string[];
  registers: Register[];
  runtimeStack: Frame[];
  endedWithNewline: boolean;
  total?: number;
  profileName?: string;
  /** No text before the first goroutine (a fragment after the first must start at a goroutine). */
  cleanStart: boolean;
  /** Nothing but one blank line after the last goroutine (a fragment before the last must end so). */
  cleanEnd: boolean;
}

const LINE_PREFIX = /^@gosleuth\/parser: line (\d+): /;

/** The same diagnostic seen `offset` lines further down. */
function shiftDiagnostic(d: Diagnostic, offset: number): Diagnostic {
  return {
    ...d,
    line: d.line + offset,
    message: d.message.replace(
      LINE_PREFIX,
      (_, n: string) => `@gosleuth/parser: line ${Number(n) + offset}: `,
    ),
  };
}

/**
 * Merges fragments (in input order) into the DumpInfo that parsing the whole input in one session
 * gives. `clean` is false when a cut did not fall between two goroutines (text between blocks, a
 * profile split in parts): the result is then not that of one session, and the caller should parse
 * the input in one session instead.
 */
export function mergeFragments(frags: readonly FragmentInfo[]): {
  info: DumpInfo;
  clean: boolean;
  /** Per fragment: lines before it and dumps started before it (to make its local numbers global). */
  offsets: { lines: number; dumps: number }[];
} {
  const first = frags[0]!;
  const last = frags[frags.length - 1]!;
  let clean = true;
  const b = new ModelBuilder();
  const offsets: { lines: number; dumps: number }[] = [];
  let lines = 0;
  let dumps = 0;
  let bytes = 0;
  let groups = 0;
  for (let i = 0; i < frags.length; i++) {
    const f = frags[i]!;
    if (frags.length > 1 && f.mode !== "blocks") clean = false;
    if (i > 0 && !f.cleanStart) clean = false;
    if (i < frags.length - 1 && !f.cleanEnd) clean = false;
    offsets.push({ lines, dumps });
    for (const d of f.diagnostics) {
      if (b.diagnostics.length >= MAX_DIAGNOSTICS) b.droppedDiagnostics++;
      else b.diagnostics.push(lines === 0 ? d : shiftDiagnostic(d, lines));
    }
    b.droppedDiagnostics += f.dropped;
    for (const r of f.registers) b.registers.push(r);
    b.goroutineCount += f.goroutines;
    lines += f.lines;
    dumps += f.dumpsStarted;
    bytes += f.bytes;
    groups += f.groups;
  }
  b.line = lines + 1;
  b.dumpIndex = dumps;
  b.preambleLines = first.preambleLines;
  b.runtimeStack = first.runtimeStack;
  const trailer = last.trailer;
  const mode = frags.length === 1 ? first.mode : "blocks";
  const { preamble, format: blockFormat } = b.preamble();
  let format: DumpFormat = blockFormat;
  if (mode === "debug1") format = "debug1";
  if (mode === "debug0") format = groups > 0 || first.total === 0 ? "debug0" : "unknown";
  const diagnostics = b.diagnostics;
  if (format === "unknown" && groups === 0 && !diagnostics.some((d) => d.severity === "error")) {
    const firstLine = preamble.lines.find((l) => l.trim() !== "") ?? "";
    const what =
      bytes === 0 && preamble.lines.length === 0
        ? "the input is empty"
        : /^\s*</.test(firstLine)
          ? "it looks like HTML"
          : /^\s*[{[]/.test(firstLine)
            ? "it looks like JSON"
            : /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(preamble.lines.slice(0, 20).join("\n").slice(0, 4096))
              ? "it looks like binary data"
              : `it starts with ${JSON.stringify(firstLine.slice(0, 60))}`;
    diagnostics.unshift({
      severity: "error",
      line: 1,
      message: `@gosleuth/parser: not a goroutine dump: ${what}; expected \`goroutine N [state]:\` blocks (debug=2, a panic, a SIGQUIT dump), a \`goroutine profile: total N\` (debug=1) or a gzipped profile (debug=0)`,
      text: firstLine.slice(0, 200),
    });
  }
  if (b.droppedDiagnostics > 0) {
    diagnostics.push({
      severity: "warning",
      line: b.line,
      message: `@gosleuth/parser: ${b.droppedDiagnostics} more diagnostics not listed (the raw text is still kept in the model)`,
      text: "",
    });
  }
  let races: DumpInfo["races"] = [];
  if (preamble.lines.includes("WARNING: DATA RACE") || trailer.includes("WARNING: DATA RACE")) {
    const pre = parseRaceReports(preamble.lines, 1);
    const post = parseRaceReports(trailer, b.line - trailer.length);
    races = [...pre.races, ...post.races];
    diagnostics.push(...pre.diagnostics, ...post.diagnostics);
  }
  const info: DumpInfo & { total?: number; profileName?: string; runtimeStack?: DumpInfo["runtimeStack"] } = {
    format,
    preamble,
    registers: b.registers,
    races,
    diagnostics,
    bytes,
    lineCount: b.line - 1,
    dumpCount: dumps + 1,
    trailer,
    finalNewline: last.endedWithNewline,
  };
  if (b.runtimeStack.length > 0) info.runtimeStack = b.runtimeStack;
  if (first.total !== undefined && frags.length === 1) info.total = first.total;
  if (first.profileName !== undefined && frags.length === 1) info.profileName = first.profileName;
  return { info, clean, offsets };
}

/** Parses a whole dump held in memory. Never throws on input. Gzip input needs parseDumpAsync. */
export function parseDump(input: string | Uint8Array, options: Pick<ParseOptions, "pieceSize"> = {}): Dump {
  const s = new Session(options.pieceSize);
  const goroutines: Goroutine[] = [];
  // Feed in slices so the grammar never sees more than a piece at a time.
  const step = PIECE_SIZE;
  if (typeof input !== "string") {
    s.bytes = input.length;
    if (isGzip(input)) {
      s.b.diag("error", 1, "gzip input: use parseDumpAsync (or gunzip first)", "");
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

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 ? (c >= 0xd800 && c <= 0xdbff ? 1 : 2) : 1;
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
  const s = new Session(options.pieceSize, options.onPiece);
  let complete = false;
  try {
    const it = chunksOf(source)[Symbol.asyncIterator]();
    let first = await it.next();
    let bytes: AsyncIterator<Uint8Array | string> = it;
    if (!first.done && typeof first.value !== "string" && isGzip(first.value)) {
      bytes = gunzip(first.value, it, options.maxDecompressedBytes ?? 8 * 1024 ** 3)[Symbol.asyncIterator]();
      first = await bytes.next();
    }
    let cur = first;
    while (!cur.done) {
      if (options.signal?.aborted) {
        s.b.diag("error", s.b.line, "parsing cancelled", "");
        break;
      }
      const chunk = cur.value;
      if (typeof chunk === "string") {
        s.bytes += byteLength(chunk);
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
    s.b.diag("error", s.b.line, msg, "");
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
  if (isGzip(head) || isProfileProto(head)) return false;
  return !PROFILE_HEAD.test(new TextDecoder().decode(head.subarray(0, 4096)));
}

/** The family of a dump from its first bytes (a few KB are enough). */
export function detectFormat(head: string | Uint8Array): DumpFormat {
  if (typeof head !== "string") {
    if (isGzip(head)) return "debug0";
    head = new TextDecoder().decode(head.subarray(0, 64 * 1024));
  }
  if (PROFILE_HEAD.test(head)) return "debug1";
  return parseDump(head.slice(0, lastLineEnd(head))).format;
}

function lastLineEnd(s: string): number {
  const i = s.lastIndexOf("\n");
  return i === -1 ? s.length : i + 1;
}
