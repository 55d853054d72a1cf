// The byte splitter cuts only at goroutine boundaries, loses and reorders nothing, and never holds more than one read plus one goroutine.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteSplitter, firstByteBoundary, lastByteBoundary } from "./chunker.ts";

// Synthetic: blocks of varying size with multi-byte characters, CRLF and lookalike lines.
function dump(n: number): string {
  const out: string[] = ["panic: héllo ✓", ""];
  for (let i = 1; i <= n; i++) {
    const frames = Array.from(
      { length: i % 7 },
      (_, k) => `main.f${k}(0x${i})\n\t/src/ü/main.go:${k + 1} +0x1`,
    );
    out.push(
      `goroutine ${i} [chan receive]:${i % 5 === 0 ? "\r" : ""}`,
      ...frames,
      "created by main.main",
      "",
    );
    if (i % 9 === 0) out.push("not goroutine 3 [x]:", "");
  }
  return out.join("\n");
}

describe("ByteSplitter (synthetic)", () => {
  it("finds the first and last boundary", () => {
    const b = new TextEncoder().encode("x\n\ngoroutine 1 [a]:\n\ngoroutine 2 [b]:\n");
    expect(firstByteBoundary(b)).toBe(3);
    expect(lastByteBoundary(b)).toBe(21);
    expect(firstByteBoundary(new TextEncoder().encode("goroutine 1 [a]:\n"))).toBe(-1);
  });

  it("pieces join back to the input and each later piece starts a goroutine block", () => {
    const bytes = new TextEncoder().encode(dump(60));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 2000 }),
        (sizes, pieceSize) => {
          const sp = new ByteSplitter(pieceSize);
          const pieces: string[] = [];
          let pos = 0;
          let k = 0;
          let maxRead = 0;
          while (pos < bytes.length) {
            const n = sizes[k++ % sizes.length]!;
            maxRead = Math.max(maxRead, n);
            sp.push(bytes.slice(pos, pos + n), (p) => pieces.push(p));
            pos += n;
          }
          pieces.push(sp.end());
          expect(pieces.join("")).toBe(new TextDecoder().decode(bytes));
          for (const p of pieces.slice(1, -1)) expect(p.startsWith("goroutine ")).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("cuts a big read into pieces of about the piece size, each ending at a boundary", () => {
    const text = dump(2000);
    const bytes = new TextEncoder().encode(text);
    const pieceSize = 4096;
    const sp = new ByteSplitter(pieceSize);
    const pieces: string[] = [];
    sp.push(bytes, (p) => pieces.push(p)); // one read of the whole input
    pieces.push(sp.end());
    expect(pieces.join("")).toBe(text);
    expect(pieces.length).toBeGreaterThan(bytes.length / pieceSize / 2);
    // The largest goroutine of this dump is well under 1 KB: no piece passes the size by more.
    for (const p of pieces) expect(new TextEncoder().encode(p).length).toBeLessThanOrEqual(pieceSize + 1024);
    for (const p of pieces.slice(1, -1)) expect(p.startsWith("goroutine ")).toBe(true);
  });

  it("keeps a goroutine longer than a piece whole", () => {
    const big = `goroutine 1 [running]:\n${"main.f()\n\t/x/main.go:1 +0x1\n".repeat(500)}\n`;
    const text = `${big}goroutine 2 [running]:\nmain.g()\n\t/x/main.go:2 +0x1\n\n${big.replace("goroutine 1", "goroutine 3")}`;
    const sp = new ByteSplitter(1024);
    const pieces: string[] = [];
    sp.push(new TextEncoder().encode(text), (p) => pieces.push(p));
    pieces.push(sp.end());
    expect(pieces.join("")).toBe(text);
    expect(pieces.filter((p) => p.startsWith("goroutine 1 ")).length).toBe(1);
  });
});
