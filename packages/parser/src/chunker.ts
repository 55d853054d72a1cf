// Turns a byte stream into text pieces that end at goroutine boundaries, holding at most one piece plus a read chunk.
//
// A boundary is a line starting with `goroutine N ` right after a blank line (or a debug=1 group
// after a blank line). Pieces are parsed independently by the grammar, so a dump of any size is parsed
// with memory bounded by the piece size and the largest goroutine, never by the dump.

/** Pieces are cut once this much text is pending (bigger pieces mean fewer parser calls). */
export const PIECE_SIZE = 1 << 20;

/** Index just after the blank line before the last boundary `\n\ngoroutine ` found in text[from..), or -1. */
export function lastBoundary(text: string, from: number): number {
  let found = -1;
  let i = text.indexOf("\ngoroutine ", Math.max(1, from));
  while (i !== -1) {
    // The preceding line must be blank: "\n\n" or "\n\r\n".
    const c = text.charCodeAt(i - 1);
    if (c === 10 || (c === 13 && i >= 2 && text.charCodeAt(i - 2) === 10)) found = i + 1;
    i = text.indexOf("\ngoroutine ", i + 1);
  }
  return found;
}

/**
 * Accumulates decoded text and hands out pieces that end at goroutine boundaries. Text is kept as a
 * list of parts and only scanned once (new text plus a small overlap), so a goroutine of any size
 * costs linear time.
 */
export class PieceSplitter {
  private parts: string[] = [];
  private size = 0;
  /** Boundary known so far: index in `parts` and offset inside that part. */
  private cutPart = -1;
  private cutAt = -1;

  constructor(private readonly pieceSize = PIECE_SIZE) {}

  /** Adds text; returns a complete piece when one is available, else null. */
  push(text: string): string | null {
    if (text.length === 0) return null;
    const prev = this.parts[this.parts.length - 1];
    // Overlap with the previous part so a boundary split across two reads is still found.
    const overlap = prev === undefined ? "" : prev.slice(-13);
    const b = lastBoundary(overlap + text, 1);
    if (b !== -1) {
      if (b >= overlap.length) {
        this.cutPart = this.parts.length;
        this.cutAt = b - overlap.length;
      } else {
        this.cutPart = this.parts.length - 1;
        this.cutAt = prev!.length - (overlap.length - b);
      }
    }
    this.parts.push(text);
    this.size += text.length;
    if (this.size < this.pieceSize || this.cutPart === -1) return null;
    const head = this.parts.slice(0, this.cutPart);
    const cutText = this.parts[this.cutPart]!;
    head.push(cutText.slice(0, this.cutAt));
    const tail = cutText.slice(this.cutAt);
    const rest = this.parts.slice(this.cutPart + 1);
    this.parts = tail.length > 0 ? [tail, ...rest] : rest;
    this.size = 0;
    for (const p of this.parts) this.size += p.length;
    this.cutPart = -1;
    this.cutAt = -1;
    return head.join("");
  }

  /** The text left at the end of the input. */
  end(): string {
    const p = this.parts.join("");
    this.parts = [];
    this.size = 0;
    return p;
  }

  get bufferedChars(): number {
    return this.size;
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
    start(controller) {
      controller.enqueue(first);
    },
    async pull(controller) {
      const n = await rest.next();
      if (n.done) controller.close();
      else controller.enqueue(typeof n.value === "string" ? new TextEncoder().encode(n.value) : n.value);
    },
  });
  const reader = input.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
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
    super(`decompressed size exceeds the cap of ${limit} bytes (a gzip bomb?); raise maxDecompressedBytes if the dump is real`);
  }
}
