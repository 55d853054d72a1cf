// One parsing session: an input's text or bytes in (in pieces of any size), goroutines out, the
// DumpInfo (or a fragment's raw results) at the end. Every entry point of the package runs one.
import type { DumpInfo, Goroutine, GoroutineGroup, StreamItem } from "@gosleuth/model";
import { ModelBuilder } from "./builder.ts";
import { ByteSplitter, copyBytes, PieceSplitter } from "./chunker.ts";
import { decodeDebug0 } from "./debug0.ts";
import { parseDebug1 } from "./debug1.ts";
import { DETECT_BYTES, detect, settled } from "./detect.ts";
import { type FragmentInfo, mergeFragments } from "./fragments.ts";
import { parseText } from "./parser.ts";

/** How the session reads its input: still deciding, goroutine blocks, a debug=1 or a debug=0 profile. */
export type SessionMode = "detect" | "blocks" | "debug1" | "debug0";

/** What the session does with a family: gzip is unpacked before a session sees the bytes. */
function modeOf(head: string | Uint8Array): "blocks" | "debug1" | "debug0" {
  const family = detect(head);
  return family === "gzip" ? "blocks" : family;
}

/** A parsing session: text in (in any pieces), goroutines out, info at the end. */
export class Session {
  /** Assembles the model; owns this session's frame and header tables. */
  readonly builder = new ModelBuilder();
  private readonly splitter: PieceSplitter;
  private readonly byteSplitter: ByteSplitter;
  bytes = 0;
  private mode: SessionMode = "detect";
  private protoBytes: Uint8Array[] = [];
  private head = "";
  /** The bytes read while the family is undecided (a copy: sources may reuse their buffer). */
  private headBytes: Uint8Array | null = null;
  private readonly decoder = new TextDecoder("utf-8");
  private debug1Text: string[] = [];
  groups: GoroutineGroup[] = [];
  total?: number;
  profileName?: string;
  private endedWithNewline = false;

  constructor(
    pieceSize?: number,
    private readonly onPiece?: (items: StreamItem[]) => void,
    lossless = true,
  ) {
    this.builder.lossless = lossless;
    this.splitter = new PieceSplitter(pieceSize);
    this.byteSplitter = new ByteSplitter(pieceSize);
  }

  private parse(piece: string): void {
    parseText(piece, this.builder);
    if (this.onPiece !== undefined && this.builder.out.length > 0) this.onPiece(this.drain());
  }

  /** Text input (parseDump on a string, or a stream of strings). */
  feed(text: string): void {
    if (text.length === 0) return;
    this.endedWithNewline = text.charCodeAt(text.length - 1) === 10;
    if (this.mode === "detect") {
      this.head += text;
      const body = this.head.charCodeAt(0) === 0xfeff ? this.head.slice(1) : this.head;
      if (body.length < DETECT_BYTES && !settled(body)) return;
      this.head = this.withoutBomText(this.head);
      this.mode = modeOf(this.head);
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
    // What is kept past this call is copied: the source may read its next chunk into the same buffer.
    if (this.mode === "debug0") {
      this.protoBytes.push(copyBytes(chunk));
      return;
    }
    if (this.mode === "detect") {
      const joined = this.headBytes === null ? copyBytes(chunk) : concat([this.headBytes, chunk]);
      // Decided on the first DETECT_BYTES after a byte-order mark (detect reads no more), or sooner when
      // those can only say one thing (settled); the input's end decides a shorter head (decideAtEnd).
      const body = hasBom(joined) ? joined.subarray(BOM.length) : joined;
      if (body.length < DETECT_BYTES && !settled(body)) {
        this.headBytes = joined;
        return;
      }
      const head = this.withoutBom(joined);
      this.headBytes = null;
      this.mode = modeOf(head);
      if (this.mode === "debug0") this.protoBytes.push(head);
      else if (this.mode === "debug1") this.debug1Text.push(this.decoder.decode(head, { stream: true }));
      else this.pushBytes(head);
      return;
    }
    if (this.mode === "debug1") this.debug1Text.push(this.decoder.decode(chunk, { stream: true }));
    else this.pushBytes(chunk);
  }

  private readonly parsePiece = (piece: string): void => this.parse(piece);

  /** The head without a UTF-8 byte-order mark (an editor's, never the runtime's), said in a diagnostic. */
  private withoutBom(head: Uint8Array): Uint8Array {
    if (!hasBom(head)) return head;
    this.bomSkipped();
    return head.subarray(BOM.length);
  }

  /** The same for text input (a string that starts with U+FEFF). */
  private withoutBomText(head: string): string {
    if (head.charCodeAt(0) !== 0xfeff) return head;
    this.bomSkipped();
    return head.slice(1);
  }

  private bomSkipped(): void {
    this.builder.diag("info", 1, "a byte-order mark (U+FEFF) at the start was skipped", "");
  }

  private pushBytes(c: Uint8Array): void {
    this.byteSplitter.push(c, this.parsePiece);
  }

  /** The goroutines completed since the last call. */
  drain(): Goroutine[] {
    const out = this.builder.out;
    this.builder.out = [];
    return out;
  }

  /** Decides the family of an input shorter than a head (the input has ended). */
  private decideAtEnd(): void {
    let decoded = "";
    if (this.headBytes !== null) {
      const bytes = this.withoutBom(this.headBytes);
      this.headBytes = null;
      if (modeOf(bytes) === "debug0") {
        this.mode = "debug0";
        this.protoBytes.push(bytes);
        return;
      }
      decoded = this.decoder.decode(bytes);
    }
    const head = this.withoutBomText(this.head) + decoded;
    this.mode = modeOf(head) === "debug1" ? "debug1" : "blocks";
    if (this.mode === "debug1") this.debug1Text.push(head);
    else if (head.length > 0) {
      // A head longer than a piece comes back cut at a boundary: its first piece is parsed here.
      const piece = this.splitter.push(head);
      if (piece !== null) parseText(piece, this.builder);
    }
    this.head = "";
  }

  /** Ends the text and gathers this session's raw results, uninterpreted (see FragmentInfo). */
  collect(): FragmentInfo {
    if (this.mode === "detect") this.decideAtEnd();
    const b = this.builder;
    if (this.mode === "debug0") {
      const r = decodeDebug0(concat(this.protoBytes));
      this.protoBytes = [];
      this.groups = r.groups;
      this.total = r.total;
      this.profileName = r.profileName;
      for (const d of r.diagnostics) b.diagnostics.push(d);
    } else if (this.mode === "debug1") {
      this.debug1Text.push(this.decoder.decode());
      const r = parseDebug1(this.debug1Text.join(""), b);
      this.groups = r.groups;
      this.total = r.total;
      this.profileName = r.profileName;
    } else {
      const restBytes = this.byteSplitter.end();
      if (restBytes.length > 0) parseText(restBytes, b);
      const rest = this.splitter.end();
      if (rest.length > 0) parseText(rest, b);
    }
    const trailer = b.finishTrailer();
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
      sawMainGoroutine: b.sawMainGoroutine,
      framesBeforeFirstBlock: b.framesBeforeFirstBlock,
      sawCreatedBy: b.sawCreatedBy,
      creatorsBeforeLastBlock: b.creatorsBeforeLastBlock,
    };
    if (b.omittedLines > 0) f.omittedLines = b.omittedLines;
    if (b.lastBlockCut !== undefined) f.lastBlockCut = b.lastBlockCut;
    if (b.trailerCut !== undefined) f.trailerCut = b.trailerCut;
    if (this.total !== undefined) f.total = this.total;
    if (this.profileName !== undefined) f.profileName = this.profileName;
    return f;
  }

  /** Ends a whole input: its DumpInfo. */
  finish(): DumpInfo {
    const info = mergeFragments([this.collect()]).info;
    // The frames handed out stay valid; the table's keys (copies of frame text) need not outlive the
    // input while a consumer still holds the stream.
    this.builder.frameTable.clear();
    return info;
  }
}

/** The parts as one array (a head that arrived in several chunks). */
/** The UTF-8 byte-order mark an editor may put first. */
const BOM = [0xef, 0xbb, 0xbf];
const hasBom = (b: Uint8Array): boolean => b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2];

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
