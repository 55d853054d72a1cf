// Turns a byte stream into text pieces that end at goroutine boundaries, holding at most one piece plus a read chunk.
//
// A boundary is a line starting with `goroutine N ` right after a blank line (or a debug=1 group
// after a blank line). Pieces are parsed independently by the grammar, so a dump of any size is parsed
// with memory bounded by the piece size and the largest goroutine, never by the dump. Text with no
// boundary for longer than a piece (a log around a dump) is cut at a line where no token or block can
// continue (isLineCut), so it does not pile up into one piece either.
import { isFileLine, pairEnd } from "./line-matchers.ts";

/**
 * Pieces are cut once this much text is pending. Small pieces keep the parser's working set (the
 * piece's string and its tokens) inside V8's young generation, which lowers both the peak memory and
 * the CPU time of a big dump (larger pieces were measured with the bench; see tooling/bench).
 */
export const PIECE_SIZE = 64 * 1024;

/**
 * Index of the `g` of the last boundary (`\n\ngoroutine ` or `\n\r\ngoroutine `) in text, searching
 * backward from the end and stopping at `min`; -1 when there is none. Backward search makes the
 * common case (a boundary within the last goroutine) cost next to nothing.
 */
export function lastBoundary(text: string, min = 0): number {
  let i = text.lastIndexOf("\ngoroutine ");
  while (i > min) {
    const c = text.charCodeAt(i - 1);
    if (c === 10 || (c === 13 && i >= 2 && text.charCodeAt(i - 2) === 10)) return i + 1;
    i = text.lastIndexOf("\ngoroutine ", i - 1);
  }
  return -1;
}

const G_BYTES = [0x67, 0x6f, 0x72, 0x6f, 0x75, 0x74, 0x69, 0x6e, 0x65, 0x20]; // "goroutine "

/** True when the newline at `i` starts `goroutine ` and follows a blank line (`\n\n` or `\n\r\n`). */
function isByteBoundaryAt(b: Uint8Array, i: number): boolean {
  if (i + 10 >= b.length || b[i + 1] !== 0x67) return false;
  for (let k = 1; k < 10; k++) if (b[i + 1 + k] !== G_BYTES[k]) return false;
  const c = b[i - 1];
  return c === 10 || (c === 13 && i >= 2 && b[i - 2] === 10);
}

/** The same search on bytes: index of the `g` of the last boundary fully inside `b`, or -1. */
export function lastByteBoundary(b: Uint8Array): number {
  let i = b.lastIndexOf(10);
  while (i > 0) {
    if (isByteBoundaryAt(b, i)) return i + 1;
    i = b.lastIndexOf(10, i - 1);
  }
  return -1;
}

/**
 * Whether a piece may start at `s`, the start of a line of `text` (a position right after a newline),
 * with the parse unchanged: no token of the lexer reaches from the line before into this one, and this
 * one is a line the lexer reads as `Other` wherever its token starts. An `Other` line is a top-level item
 * of the grammar that ends any block before it (parser.ts's fast path ends a block there too, and hands
 * the lines from there to the next header to the grammar, whose top level is a flat list of tokens), so
 * the text before it and the text from it on parse as they would joined.
 *
 * Only the tokens of two lines or more reach into the next line, and each of their later lines is a
 * file line (FramePair: function line and file line, pair after pair; CreatedBy: its file line): a line
 * that is no file line and starts no frame pair continues no token. On top of that the line must start
 * with none of the other tokens: no blank or indented line, no `created by `, no elision marker, no
 * ancestor header, and (a header, a glued header, `stack unavailable`) no `goroutine ` anywhere in it.
 * The line and the next one (which decides whether a frame pair starts) must end with their newlines
 * inside `text`; otherwise false, as for any doubt.
 */
export function isLineCut(text: string, s: number): boolean {
  if (s <= 0 || text.charCodeAt(s - 1) !== 10) return false;
  const e1 = text.indexOf("\n", s);
  if (e1 === -1 || text.indexOf("\n", e1 + 1) === -1) return false;
  const c0 = text.charCodeAt(s);
  if (c0 === 9 || c0 === 32 || c0 === 13 || c0 === 10) return false;
  const g = text.indexOf("goroutine ", s);
  if (g !== -1 && g < e1) return false;
  if (text.startsWith("created by ", s) || text.startsWith("...", s) || text.startsWith("[originating", s))
    return false;
  return !isFileLine(text, s, e1) && pairEnd(text, s) === -1;
}

/** Lines tried from the end of a read for a line cut before giving up on that read. */
const LINE_CUT_TRIES = 64;

/**
 * The last line start of `text` where a piece may start (isLineCut), trying at most LINE_CUT_TRIES
 * lines from the end; -1 when there is none.
 */
export function lastLineCut(text: string): number {
  let i = text.lastIndexOf("\n");
  for (let tries = 0; i > 0 && tries < LINE_CUT_TRIES; tries++) {
    i = text.lastIndexOf("\n", i - 1);
    if (i === -1) return -1;
    if (isLineCut(text, i + 1)) return i + 1;
  }
  return -1;
}

/**
 * The same on bytes: the last line start of `b` where a piece may start, or -1. The two lines that
 * decide it are decoded on their own by the pieces' decoder (a newline byte never lies inside a
 * multi-byte character), as the piece's text would have them.
 */
export function lastByteLineCut(b: Uint8Array): number {
  // The newline ending the line after a candidate, and the one ending the candidate.
  let e2 = b.lastIndexOf(10);
  if (e2 <= 0) return -1;
  let e1 = b.lastIndexOf(10, e2 - 1);
  for (let tries = 0; e1 > 0 && tries < LINE_CUT_TRIES; tries++) {
    const nl = b.lastIndexOf(10, e1 - 1);
    if (nl === -1) return -1;
    // "\n" + candidate line + "\n" + next line + "\n", decoded alone: isLineCut at 1.
    if (isLineCut(decodeBytes(b.subarray(nl, e2 + 1)), 1)) return nl + 1;
    e2 = e1;
    e1 = nl;
  }
  return -1;
}

/** Splits text at goroutine boundaries (for inputs that arrive as strings). */
export class PieceSplitter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly pieceSize = PIECE_SIZE) {}

  /** Adds text; returns a complete piece when one is available, else null. */
  push(text: string): string | null {
    if (text.length === 0) return null;
    this.parts.push(text);
    this.size += text.length;
    if (this.size < this.pieceSize) return null;
    // Boundaries split across two pushes are simply not seen: the piece then ends at an earlier one.
    // Without one, at a line where the parse may be cut (a log around a dump).
    let cut = lastBoundary(text);
    if (cut <= 0) cut = lastLineCut(text);
    if (cut <= 0) return null;
    this.parts[this.parts.length - 1] = text.slice(0, cut);
    const piece = this.parts.join("");
    this.parts = [text.slice(cut)];
    this.size = text.length - cut;
    return piece;
  }

  /** The text left at the end of the input. */
  end(): string {
    const p = this.parts.join("");
    this.parts = [];
    this.size = 0;
    return p;
  }
}

type Decode = (b: Uint8Array) => string;
interface NodeBufferModule {
  Buffer: {
    from(
      a: ArrayBufferLike,
      o: number,
      l: number,
    ): { latin1Slice(s: number, e: number): string; utf8Slice(s: number, e: number): string };
  };
  isAscii?: (b: Uint8Array) => boolean;
}
// In Node, decode through Buffer: pure-ASCII pieces (nearly all dumps) become one-byte strings by a plain
// copy (latin1Slice), several times faster than UTF-8 decoding; browsers use TextDecoder.
const nodeBuffer = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:buffer") as NodeBufferModule | undefined;
const textDecoder = new TextDecoder("utf-8");
const decodeBytes: Decode = nodeBuffer
  ? (b) => {
      const buf = nodeBuffer.Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      return nodeBuffer.isAscii?.(b) ? buf.latin1Slice(0, b.byteLength) : buf.utf8Slice(0, b.byteLength);
    }
  : (b) => textDecoder.decode(b);

/**
 * A copy of bytes a read handed over. Not `chunk.slice()`: on a Node Buffer `slice` is a view, and the
 * source may reuse its buffer for the next read (the CLI reads files into one buffer).
 */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Index of the `g` of the first boundary fully inside `b` (the forward twin of lastByteBoundary), or -1. */
export function firstByteBoundary(b: Uint8Array): number {
  let i = b.indexOf(10, 1);
  while (i !== -1 && i + 10 < b.length) {
    if (isByteBoundaryAt(b, i)) return i + 1;
    i = b.indexOf(10, i + 1);
  }
  return -1;
}

/**
 * Splits bytes at goroutine boundaries before decoding, so pieces are decoded whole: a boundary is
 * ASCII, so no multi-byte character is ever cut, wherever the reads happen to split the input.
 * A read chunk holding boundaries gives two pieces: what is pending up to its first boundary (one
 * goroutine, usually), then the chunk from its first to its last boundary, decoded straight from the
 * chunk without being copied into a joined buffer first. Nothing of a chunk is kept after `push` returns
 * but copies, so a source may read into one buffer again and again.
 */
export class ByteSplitter {
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly pieceSize = PIECE_SIZE) {}

  push(chunk: Uint8Array, emit: (piece: string) => void): void {
    if (chunk.length === 0) return;
    this.size += chunk.length;
    if (this.size < this.pieceSize) {
      this.parts.push(copyBytes(chunk));
      return;
    }
    const last = lastByteBoundary(chunk);
    if (last <= 0) {
      // No goroutine boundary in this read: what is pending is cut at a line that allows it (a log
      // around a dump), else kept until a read brings a boundary.
      const cut = lastByteLineCut(chunk);
      if (cut <= 0) {
        this.parts.push(copyBytes(chunk));
        return;
      }
      this.parts.push(chunk.subarray(0, cut));
      emit(decodeBytes(concatBytes(this.parts, this.size - chunk.length + cut)));
      const tail = copyBytes(chunk.subarray(cut));
      this.parts = [tail];
      this.size = tail.length;
      return;
    }
    const first = firstByteBoundary(chunk);
    this.parts.push(chunk.subarray(0, first));
    emit(decodeBytes(concatBytes(this.parts, this.size - chunk.length + first)));
    // A big chunk is emitted in pieces of about pieceSize (each ends at a boundary), so the parser's
    // working set stays small whatever the reads' size.
    let start = first;
    while (last - start > this.pieceSize) {
      let cut = lastByteBoundary(chunk.subarray(start, start + this.pieceSize));
      if (cut <= 0) cut = firstByteBoundary(chunk.subarray(start)); // one goroutine longer than a piece
      if (cut <= 0 || start + cut >= last) break;
      emit(decodeBytes(chunk.subarray(start, start + cut)));
      start += cut;
    }
    if (last > start) emit(decodeBytes(chunk.subarray(start, last)));
    // Copy the tail: the caller may reuse the chunk's buffer.
    const tail = copyBytes(chunk.subarray(last));
    this.parts = [tail];
    this.size = tail.length;
  }

  end(): string {
    const b = concatBytes(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return b.length === 0 ? "" : decodeBytes(b);
  }
}

/** Normalises the sources the parser accepts into an async iterable of byte or text chunks. */
export async function* chunksOf(
  source: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array> | Iterable<Uint8Array | string>,
): AsyncGenerator<Uint8Array | string> {
  if (typeof (source as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* source as AsyncIterable<Uint8Array | string>;
  }
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Decompresses a gzip byte stream with the platform's DecompressionStream (Node 18+, browsers). */
export async function* gunzip(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array | string>,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({
    // Copies: the decompressor may still hold a chunk when the source reads its next one into the same buffer.
    start(controller) {
      controller.enqueue(copyBytes(first));
    },
    async pull(controller) {
      const n = await rest.next();
      if (n.done) controller.close();
      else
        controller.enqueue(
          typeof n.value === "string" ? new TextEncoder().encode(n.value) : copyBytes(n.value),
        );
    },
  });
  const reader = input
    .pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>)
    .getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new GunzipLimitError(maxBytes);
    }
    yield value;
  }
}

export class GunzipLimitError extends Error {
  constructor(readonly limit: number) {
    super(
      `decompressed size exceeds the size cap of ${limit} bytes (a gzip bomb?); raise maxDecompressedBytes if the dump is real`,
    );
  }
}
