// Reads a local file (or a byte range of it) for the parser: READ_CHUNK bytes at a time, the next read
// running on libuv's pool while the parser works on the last one.
import { close, open, read } from "node:fs";
import { READ_CHUNK } from "./input-options.ts";

/** `fs.read` as a promise: the bytes read into `buf` from `pos`. */
function readAt(fd: number, buf: Buffer, length: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, length, pos, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * Yields views of two reused buffers in turn; each is overwritten two reads later, which the parser allows
 * (it copies what it keeps, see ParseSource, and asks for the next chunk only when done with this one).
 * While the parser reads one buffer, the next read fills the other on a pool thread: a synchronous read
 * made the parsing thread wait for every copy from the page cache (about a tenth of `summary`'s time on
 * one thread on the 216k dump). Two buffers made once, not a fresh one per read: fresh buffers fault in
 * new memory at every read (tooling/bench/README.md, session 11). Every read is a turn of the event loop,
 * so timers, the progress bar and worker messages run.
 */
export async function* fileChunks(
  path: string,
  start = 0,
  end = Number.POSITIVE_INFINITY,
  size = READ_CHUNK,
): AsyncGenerator<Uint8Array> {
  const fd = await new Promise<number>((resolve, reject) =>
    open(path, "r", (err, fd) => (err ? reject(err) : resolve(fd))),
  );
  // A thread's byte range may be far smaller than a read: no bigger buffers than it needs.
  const room = Math.max(1, Math.min(size, end - start));
  const bufs = [Buffer.allocUnsafeSlow(room), Buffer.allocUnsafeSlow(room)] as const;
  let which = 0;
  let pos = start;
  let pending: Promise<number> | undefined =
    pos < end ? readAt(fd, bufs[0], Math.min(room, end - pos), pos) : undefined;
  try {
    while (pending !== undefined) {
      const n = await pending;
      pending = undefined;
      if (n === 0) return;
      const buf = bufs[which]!;
      pos += n;
      // The other buffer was yielded before this one, and the parser has asked for more: it is free.
      which ^= 1;
      if (pos < end) pending = readAt(fd, bufs[which]!, Math.min(room, end - pos), pos);
      yield buf.subarray(0, n);
    }
  } finally {
    // A read still running when the consumer stops early writes into the buffer and uses the descriptor:
    // closed only once it is done (its error, if any, no longer matters).
    if (pending !== undefined) await pending.catch(() => 0);
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
