// Reads a local file (or a byte range of it) for the parser: READ_CHUNK bytes at a time into one buffer.
import { closeSync, openSync, readSync } from "node:fs";
import { READ_CHUNK } from "./input-options.ts";

/**
 * The event loop turns after the first read and then once every this many reads, so timers, the progress bar
 * and worker messages run (a parsing thread's finished range is taken in even when the main thread's own
 * ranges are one read each).
 */
const READS_PER_TURN = 16;

/**
 * Yields views of one reused buffer; each is overwritten by the next read, which the parser allows (it copies
 * what it keeps, see ParseSource). A stream of fresh buffers made every read fault in new memory: on the 216k
 * dump one reused buffer took `summary` from 1.15–1.24 s to 1.07–1.11 s (tooling/bench/README.md).
 * Reads are synchronous, so the loop is given turns (READS_PER_TURN).
 */
export async function* fileChunks(
  path: string,
  start = 0,
  end = Number.POSITIVE_INFINITY,
  size = READ_CHUNK,
): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafeSlow(size);
    let pos = start;
    for (let reads = 1; pos < end; reads++) {
      const n = readSync(fd, buf, 0, Math.min(size, end - pos), pos);
      if (n === 0) return;
      pos += n;
      yield buf.subarray(0, n);
      if (reads % READS_PER_TURN === 1) await new Promise((r) => setImmediate(r));
    }
  } finally {
    closeSync(fd);
  }
}
