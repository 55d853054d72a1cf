// SignatureInterner's ids against the plain signature text, on real dumps in file order and shuffled
// (its shortcut for stacks seen lately must never merge two signatures or split one).
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { Goroutine } from "@gosleuth/model";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { flatCopy, NameTable, SignatureInterner, SiteInterner } from "./intern.ts";
import { creatorSite, goroutineSignature } from "./signature.ts";

/**
 * Interns `order` and checks that each id names its signature's text and that one text has one id;
 * returns how many texts there were.
 */
function expectOneIdPerText(sigs: SignatureInterner, order: readonly Goroutine[]): number {
  const idOfText = new Map<string, number>();
  for (const g of order) {
    const id = sigs.id(g);
    const text = goroutineSignature(g);
    expect(sigs.text(id)).toBe(text);
    if (!idOfText.has(text)) idOfText.set(text, id);
    expect(id).toBe(idOfText.get(text));
  }
  return idOfText.size;
}

describe("SignatureInterner", () => {
  for (const f of [
    "generated/go-versions/go1.26-spawnfarm-stack.txt",
    "generated/go-versions/go1.19-spawnfarm-stack.txt",
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "labeled/leakybank/leakybank-t0320s-debug2.txt",
  ]) {
    it(`gives one id per signature text on ${f}`, () => {
      const { goroutines } = parseDump(readFileSync(fixture(f), "utf8"));
      const shuffled = goroutines.map((g, i) => [(i * 7919) % 1013, g] as const).sort((a, b) => a[0] - b[0]);
      // A tiny frame cache as well: starting the cache over must not change an id.
      for (const [order, sigs] of [
        [goroutines, new SignatureInterner()],
        [shuffled.map(([, g]) => g), new SignatureInterner()],
        [shuffled.map(([, g]) => g), new SignatureInterner({ frameCacheCap: 3 })],
      ] as const) {
        expectOneIdPerText(sigs, order);
      }
    });
  }
  it("gives the same ids when its recent stacks start over, every goroutine in a function of its own (synthetic)", () => {
    // 300 start functions, two stacks each (two lines), met twice in turns: with room for 8 start
    // functions the recent stacks are dropped again and again, and every id must come from the trie.
    const text = Array.from(
      { length: 600 },
      (_, i) =>
        `goroutine ${i + 2} [select]:\nruntime.gopark(0x0?)\n\t/go/src/runtime/proc.go:425 +0xce\n` +
        `main.fn${i % 300}(0x1)\n\t/app/gen.go:${i < 300 ? 10 : 11} +0x45\ncreated by main.main in goroutine 1\n\t/app/main.go:20 +0x3d\n\n`,
    ).join("");
    const { goroutines } = parseDump(text);
    expect(goroutines).toHaveLength(600);
    const order = [...goroutines, ...goroutines.filter((_, i) => i % 3 === 0), ...goroutines];
    for (const sigs of [new SignatureInterner({ recentStarts: 8 }), new SignatureInterner()]) {
      expect(expectOneIdPerText(sigs, order)).toBe(600);
    }
  });

  it("gives the same ids while its frame cache shrinks where frames never come back and grows again (synthetic)", () => {
    // Goroutines parsed one by one have frames of their own (a cache of them only misses), then one parse
    // of many goroutines shares its frames (the cache hits again); a tiny cache of each size.
    // Forty stacks (five workers, eight depths) under one start function: more than the interner's recent
    // stacks, so most goroutines go through the frame cache.
    const block = (i: number, args: string) =>
      `goroutine ${i} [chan receive]:\nmain.worker${i % 5}(${args})\n\t/app/w.go:${10 + (i % 5)} +0x1\n` +
      Array.from({ length: i % 8 }, (_, k) => `main.step${k}(${args})\n\t/app/step.go:${k} +0x4\n`).join("") +
      "main.run(0x1)\n\t/app/run.go:3 +0x2\ncreated by main.main in goroutine 1\n\t/app/main.go:9 +0x3\n\n";
    const alone = Array.from(
      { length: 200 },
      (_, i) => parseDump(block(i, `0xc${i.toString(16).padStart(9, "0")}`)).goroutines[0]!,
    );
    const shared = parseDump(
      Array.from({ length: 200 }, (_, i) => block(i, "0xc000000000")).join(""),
    ).goroutines;
    for (const sigs of [
      new SignatureInterner({ frameCacheCap: 64, missingCap: 16 }),
      new SignatureInterner(),
    ]) {
      expect(expectOneIdPerText(sigs, [...alone, ...shared, ...alone])).toBe(40);
    }
  });

  it("tells apart stacks that differ only in an elision's place or the state class (synthetic)", () => {
    const frames = (n: number) => "main.f(0x1)\n\t/a.go:1 +0x1\n".repeat(n);
    const text = [
      `goroutine 1 [select]:\n${frames(3)}...2 frames elided...\n${frames(1)}`,
      `goroutine 2 [select]:\n${frames(2)}...2 frames elided...\n${frames(2)}`,
      `goroutine 3 [select]:\n${frames(4)}`,
      `goroutine 4 [chan receive]:\n${frames(4)}`,
      `goroutine 5 [select]:\n${frames(3)}...9 frames elided...\n${frames(1)}`,
    ].join("\n");
    const sigs = new SignatureInterner();
    const ids = parseDump(text).goroutines.map((g) => sigs.id(g));
    expect(new Set(ids.slice(0, 4)).size).toBe(4);
    expect(ids[4]).toBe(ids[0]); // the elided count is not part of a signature
  });
});

describe("NameTable", () => {
  it("numbers a text built from pieces as the same text given whole, and keeps it equal", () => {
    const t = new NameTable();
    const fn = "example.com/app/internal/worker.(*Pool).run";
    const built = (line: number) => `${fn} ${"/src/app/internal/worker/pool.go"}:${line}`;
    expect(t.idOfBuilt(built(12))).toBe(0);
    expect(t.id(`${fn} /src/app/internal/worker/pool.go:12`)).toBe(0);
    expect(t.idOfBuilt(built(13))).toBe(1);
    expect(t.idOfBuilt(built(12))).toBe(0);
    expect(t.names).toEqual([built(12), built(13)]);
    for (const s of ["", "short", "x".repeat(13), built(1)]) expect(flatCopy(s)).toBe(s);
  });
});

describe("SiteInterner", () => {
  for (const f of [
    "generated/go-versions/go1.26-spawnfarm-stack.txt",
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "labeled/leakybank/leakybank-t0320s-debug2.txt",
  ]) {
    it(`gives one id per creator site text on ${f}, in file order and shuffled`, () => {
      const { goroutines } = parseDump(readFileSync(fixture(f), "utf8"));
      const shuffled = goroutines.map((g, i) => [(i * 7919) % 1013, g] as const).sort((a, b) => a[0] - b[0]);
      for (const order of [goroutines, shuffled.map(([, g]) => g)]) {
        const sites = new SiteInterner();
        const idOfText = new Map<string, number>();
        for (const g of order) {
          const id = sites.id(g.createdBy);
          const text = creatorSite(g.createdBy);
          const s = sites.sites[id];
          expect(s ? `${s.function} ${s.file}:${s.line}` : "").toBe(text);
          if (!idOfText.has(text)) idOfText.set(text, id);
          expect(id).toBe(idOfText.get(text));
        }
        // Not only roots: these dumps have several creator sites.
        expect(idOfText.size).toBeGreaterThan(2);
      }
    });
  }
});
