// Interning caches (headers by the text after the id, frames by their text) never mix up goroutines.

import type { Goroutine } from "@gosleuth/model";
import { describe, expect, it } from "vitest";
import { parseDump, parseStream } from "./index.ts";

describe("interning caches (synthetic)", () => {
  it("goroutines sharing a header's state text keep their own ids and parents", () => {
    const text = [
      "goroutine 7 [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "created by main.main in goroutine 1",
      "\t/a.go:9 +0x2",
      "",
      "goroutine 9007199254740993 [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "created by main.main in goroutine 1",
      "\t/a.go:9 +0x2",
      "",
      "goroutine 8 [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "created by main.main in goroutine 2",
      "\t/a.go:9 +0x2",
      "",
      "goroutine 10 gp=0xc000001 m=nil [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "",
    ].join("\n");
    const d = parseDump(text);
    expect(d.goroutines.map((g) => g.idText ?? String(g.id))).toEqual(["7", "9007199254740993", "8", "10"]);
    expect(d.goroutines.map((g) => [g.state, g.waitMinutes])).toEqual([
      ["chan receive", 3],
      ["chan receive", 3],
      ["chan receive", 3],
      ["chan receive", 3],
    ]);
    expect(d.goroutines[0]!.idText).toBeUndefined();
    expect(d.goroutines[3]!.gp).toBe("0xc000001");
    expect(d.goroutines[0]!.gp).toBeUndefined();
    const [a, b, c] = d.goroutines;
    expect(a!.createdBy).toEqual(b!.createdBy);
    expect(a!.createdBy?.fn).toBe(c!.createdBy?.fn);
    expect(c!.createdBy?.parentId).toBe(2);
    expect(a!.frames[0]).toBe(c!.frames[0]);
  });
});

describe("two parsers in one process (synthetic)", () => {
  it("keep their own frame tables: one ending does not break the other's frame sharing", async () => {
    const block = (id: number) => `goroutine ${id} [select]:\nmain.serve(0x1)\n\t/app/s.go:5 +0x1\n`;
    // Two goroutines per read, so every read holds a boundary; tiny pieces: the stream hands out
    // goroutines while the rest of its input is unread.
    async function* reads() {
      for (let i = 0; i < 20; i++) yield `${block(2 * i + 1)}\n${block(2 * i + 2)}\n`;
    }
    const a = parseStream(reads(), { pieceSize: 64 })[Symbol.asyncIterator]();
    const first = await a.next();
    expect(first.done).toBe(false);
    // A whole second parse runs, and ends, while the first is still streaming.
    const b = parseDump(Array.from({ length: 10 }, (_, i) => block(i + 1)).join("\n"));
    expect(b.goroutines).toHaveLength(10);
    const rest = [];
    for (let n = await a.next(); !n.done; n = await a.next()) rest.push(n.value);
    expect(rest).toHaveLength(39);
    const frame0 = (first.value as Goroutine).frames[0];
    // The first stream's repeated frame is still one object after the other parse ended.
    for (const g of rest) expect((g as Goroutine).frames[0]).toBe(frame0);
    // And nothing is shared between the two parses.
    expect(b.goroutines[0]!.frames[0]).not.toBe(frame0);
    expect(b.goroutines[0]!.frames[0]).toEqual(frame0);
  });
});
