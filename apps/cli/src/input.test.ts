// fileRange: a byte range of a real dump, read in chunks, is exactly that slice of the file.
import { fixture, readFixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { fileRange, READ_CHUNK } from "./input.ts";

const REL = "generated/servers/caddy-2.11-t0-debug2.txt";

async function collect(file: string, start: number, end: number): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Uint8Array[] = [];
  for await (const c of fileRange(file, start, end)) parts.push(c);
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

describe("fileRange", () => {
  const whole = readFixture(REL);

  it("gives the range's bytes, in chunks of at most READ_CHUNK", async () => {
    expect(whole.length).toBeGreaterThan(4 * READ_CHUNK);
    for (const [start, end] of [
      [0, whole.length],
      [12_345, 12_345 + 3 * READ_CHUNK + 7],
      [whole.length - 100, whole.length],
      [500, 500],
    ] as const) {
      const r = await collect(fixture(REL), start, end);
      expect(r.bytes.equals(whole.subarray(start, end))).toBe(true);
      expect(r.chunks).toBe(Math.ceil((end - start) / READ_CHUNK));
    }
  });

  it("stops at the end of the file when the range runs past it", async () => {
    const r = await collect(fixture(REL), whole.length - 10, whole.length + 1000);
    expect(r.bytes.equals(whole.subarray(whole.length - 10))).toBe(true);
  });

  it("rejects on a missing file (the parser turns that into its read-failure diagnostic)", async () => {
    await expect(collect(fixture("generated/no-such-file.txt"), 0, 10)).rejects.toThrow(/ENOENT/);
  });
});
