// The file reader: every byte once, in order, within the range asked for, with the event loop turning, a
// chunk left as it came while the next read runs.
import { existsSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileChunks } from "./file-chunks.ts";

const dir = mkdtempSync(join(tmpdir(), "gosleuth-file-chunks-"));
const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(""));
const file = join(dir, "dump.txt");
writeFileSync(file, data);

/** Copies of what the reader yields (its buffer is overwritten by the next read). */
async function read(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; reads: number }> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return { bytes: Buffer.concat(parts), reads: parts.length };
}

describe("fileChunks", () => {
  it("yields the whole file in reads of the size asked for, into two reused buffers", async () => {
    const { bytes, reads } = await read(fileChunks(file, 0, Number.POSITIVE_INFINITY, 64));
    expect(bytes.equals(data)).toBe(true);
    expect(reads).toBe(Math.ceil(data.length / 64));
    const views: Uint8Array[] = [];
    for await (const c of fileChunks(file, 0, Number.POSITIVE_INFINITY, 64)) views.push(c);
    expect(new Set(views.map((v) => v.buffer)).size).toBe(2);
  });

  it("leaves a chunk as it came until the next is asked for, while the read after it runs", async () => {
    let chunks = 0;
    for await (const c of fileChunks(file, 0, Number.POSITIVE_INFINITY, 64)) {
      const copy = Buffer.from(c);
      // Time for the read ahead to land (a pool thread writes the other buffer meanwhile).
      await new Promise((r) => setTimeout(r, 2));
      expect(Buffer.from(c).equals(copy)).toBe(true);
      chunks++;
    }
    expect(chunks).toBe(Math.ceil(data.length / 64));
  });

  // Linux shows a process's open files in /proc/self/fd: the descriptors open on the test's file are counted.
  it.skipIf(!existsSync("/proc/self/fd"))(
    "closes the file when the reader stops early, with a read still running",
    async () => {
      const openOnFile = () =>
        readdirSync("/proc/self/fd").filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === realpathSync(file);
          } catch {
            return false;
          }
        }).length;
      for (let i = 0; i < 50; i++) {
        for await (const _ of fileChunks(file, 0, Number.POSITIVE_INFINITY, 64)) break;
      }
      expect(openOnFile()).toBe(0);
      // The count sees a file left open (else the test could not fail).
      const held = fileChunks(file, 0, Number.POSITIVE_INFINITY, 64);
      await held.next();
      expect(openOnFile()).toBe(1);
      await held.return(undefined);
      expect(openOnFile()).toBe(0);
    },
  );

  it("reads a byte range [start, end) and stops at the end of the file", async () => {
    expect((await read(fileChunks(file, 100, 1234, 64))).bytes.equals(data.subarray(100, 1234))).toBe(true);
    expect((await read(fileChunks(file, data.length - 10, data.length + 500, 64))).bytes).toEqual(
      data.subarray(data.length - 10),
    );
    expect((await read(fileChunks(file, 50, 50, 64))).reads).toBe(0);
  });

  it("lets the event loop turn while it reads (timers, the progress bar, worker messages)", async () => {
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    let readsBeforeTurn = -1;
    let reads = 0;
    for await (const _ of fileChunks(file, 0, Number.POSITIVE_INFINITY, 16)) {
      reads++;
      if (turned && readsBeforeTurn < 0) readsBeforeTurn = reads;
    }
    expect(reads).toBeGreaterThan(100);
    expect(readsBeforeTurn).toBeGreaterThan(0);
    expect(readsBeforeTurn).toBeLessThan(reads);
  });

  it("rejects when the file cannot be opened (the parser reports it as a read error)", async () => {
    await expect(read(fileChunks(join(dir, "missing.txt")))).rejects.toThrow(/ENOENT/);
  });
});
