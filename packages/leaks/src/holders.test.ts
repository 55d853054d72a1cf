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
