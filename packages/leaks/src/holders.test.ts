// What a channel waiter holds: every distinct pointer of its stack in the order first printed, and those
// printed exactly (without `?`) anywhere. Stacks of many pointers take a hashed path (distinctHashed) and
// must give what the linear one gives for few.
import { parseDump } from "@gosleuth/parser";
import { expect, it } from "vitest";
import { HoldEvidence } from "./holders.ts";

/** A goroutine waiting on a channel, with a frame per argument list in `frames` above its wait. */
function waiter(frames: string[]): string {
  const pairs = frames.map((a, i) => `main.f${i}(${a})\n\t/app/main.go:${10 + i} +0x1${i}\n`).join("");
  return (
    `goroutine 7 [chan receive]:\n` +
    `runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/proc.go:425 +0xce\n` +
    `runtime.chanrecv(0xc0000a6060, 0x0, 0x1)\n\t/go/src/runtime/chan.go:639 +0x3bc\n` +
    `runtime.chanrecv1(0xc0000a6060?, 0x0?)\n\t/go/src/runtime/chan.go:489 +0x12\n` +
    pairs +
    `created by main.main in goroutine 1\n\t/app/main.go:5 +0x25\n\n`
  );
}

/** The expected held and exact lists, worked out from the argument texts. */
function expected(frames: string[]): { held: number[]; exact: number[] } {
  const held: number[] = [];
  const exactSet = new Set<number>();
  const texts = ["0xc0000a6060, 0x0, 0x1", "0xc0000a6060?, 0x0?", ...frames];
  for (const t of texts) {
    for (const m of t.matchAll(/0x([0-9a-f]+)(\??)/g)) {
      if (m[1]!.length < 6 || m[1]!.length > 13) continue;
      const v = Number.parseInt(m[1]!, 16);
      if (!held.includes(v)) held.push(v);
      if (m[2] !== "?") exactSet.add(v);
    }
  }
  return { held, exact: held.filter((v) => exactSet.has(v)) };
}

function heldOf(frames: string[]) {
  const g = parseDump(waiter(frames)).goroutines[0]!;
  const h = new HoldEvidence();
  h.add(g, 0, 0, true);
  const w = h.waits[0]!;
  return { held: w.held, exact: w.exact };
}

it("a few pointers: distinct, in the order printed, exact where printed without ?", () => {
  const frames = ["0xc000100000?, 0xc000100040", "0xc000100000, 0x10", "0xc000100040?"];
  expect(heldOf(frames)).toEqual(expected(frames));
});

it("hundreds of pointers, repeated and with and without ?, give the same as the linear search would", () => {
  const frames: string[] = [];
  for (let i = 0; i < 120; i++) {
    const a = 0xc000200000 + (i % 37) * 0x40;
    const b = 0x7f0000000000 + ((i * 7) % 53) * 0x1000;
    frames.push(
      `0x${a.toString(16)}${i % 3 === 0 ? "?" : ""}, 0x${b.toString(16)}${i % 5 === 0 ? "" : "?"}, 0x${i.toString(16)}`,
    );
  }
  const got = heldOf(frames);
  const want = expected(frames);
  expect(got.held.length).toBe(1 + 37 + 53);
  expect(got).toEqual(want);
});

/** One goroutine holding `args` in a frame of its own (each call parses anew: frames never shared). */
function holding(args: string) {
  return parseDump(waiter([args])).goroutines[0]!;
}

it("counts every holder of a pointer past 65,535 (cells of 16 bits keep larger counts apart)", () => {
  const p = 0xc000300000;
  const g = holding(`0x${p.toString(16)}, 0x1`);
  const h = new HoldEvidence();
  // The very same frames again and again: counted in one run when the sketch is read.
  for (let i = 0; i < 70_000; i++) h.add(g, 0, 0, true);
  expect(h.holders(p)).toBe(70_000);
  // A part moved to another evidence, twice: the counts add up there too.
  const merged = new HoldEvidence();
  merged.merge(h.partial(), [0], [0]);
  expect(merged.holders(p)).toBe(70_000);
  const again = new HoldEvidence();
  for (let i = 0; i < 70_000; i++) again.add(g, 0, 0, true);
  merged.merge(again.partial(), [0], [0]);
  expect(merged.holders(p)).toBe(140_000);
  expect(merged.holders(0xc000300040)).toBe(0);
});

it("counts each goroutine once however its stacks alternate (a signature whose stacks stop repeating, then repeat)", () => {
  const p = 0xc000400000;
  const h = new HoldEvidence();
  // Stacks that differ every time (the last frames are then kept only now and then), then one stack
  // repeated, then different ones again, all holding p, some twice in one stack.
  let n = 0;
  for (let i = 0; i < 40; i++, n++)
    h.add(holding(`0x${p.toString(16)}, 0x${(0xc000500000 + i * 16).toString(16)}`), 0, 0, true);
  const same = holding(`0x${p.toString(16)}, 0x${p.toString(16)}?`);
  for (let i = 0; i < 100; i++, n++) h.add(same, 0, 0, true);
  for (let i = 0; i < 40; i++, n++)
    h.add(holding(`0x${p.toString(16)}, 0x${(0xc000600000 + i * 16).toString(16)}`), 0, 0, true);
  expect(h.holders(p)).toBe(n);
  expect(h.holders(0xc000500000)).toBe(1);
  expect(h.holders(0xc000600000 + 39 * 16)).toBe(1);
});
