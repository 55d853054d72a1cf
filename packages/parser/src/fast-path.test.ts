// The fast path of parseText (usual goroutine blocks read without tokens) must give exactly the model
// the lexer and the grammar give: every field, the diagnostics, and which frames are one object.
// The campaign size is set by GOSLEUTH_FUZZ_RUNS, as in hostile.test.ts.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fixture, hasSharedCorpus, listCorpus, listFixtures } from "@gosleuth/fixtures";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { modelKey } from "../test/model-key.ts";
import { mutate, opArb } from "../test/mutate.ts";
import { setFrameTableMax } from "./frame.ts";
import { parseDump } from "./index.ts";
import { fastPathStats, setGrammarOnly } from "./parser.ts";
import { skeletonStats } from "./skeletons.ts";

const RUNS = Number(process.env.GOSLEUTH_FUZZ_RUNS ?? 150);
/** Blocks the fast path read in this file's comparisons: they compare two paths only if it ran. */
let fastBlocks = 0;

/** The model key of `input` parsed by the grammar alone and with the fast path. */
function both(input: string | Uint8Array, pieceSize?: number): [string, string] {
  setGrammarOnly(true);
  const grammar = modelKey(parseDump(input, { pieceSize }));
  setGrammarOnly(false);
  const before = fastPathStats.blocks;
  const fast = modelKey(parseDump(input, { pieceSize }));
  fastBlocks += fastPathStats.blocks - before;
  return [grammar, fast];
}

afterEach(() => {
  setGrammarOnly(false);
  setFrameTableMax(undefined);
});

it("the fast path reads the usual blocks of a real dump", () => {
  const before = fastBlocks;
  both(readFileSync(fixture("generated/servers/caddy-2.11-t0-debug2.txt")));
  expect(fastBlocks - before).toBeGreaterThan(2000);
});

const BUNDLED = [
  ...listFixtures("generated/go-versions"),
  ...listFixtures("generated/servers"),
  ...listFixtures("labeled/leakybank"),
].filter((f) => !f.endsWith(".gz"));

describe("fast path = grammar, bundled real dumps (default pieces and 4 KiB pieces)", () => {
  for (const f of BUNDLED) {
    it(f, () => {
      const bytes = readFileSync(fixture(f));
      for (const size of [undefined, 4096]) {
        const [grammar, fast] = both(bytes, size);
        expect(fast).toBe(grammar);
      }
    });
  }
});

describe.skipIf(!hasSharedCorpus)("fast path = grammar, shared corpus (read in place)", () => {
  const files = [
    ...listCorpus("public"),
    ...listCorpus("generated/go-versions"),
    ...listCorpus("generated/servers"),
  ];
  for (const p of files.filter((f) => f.endsWith(".txt"))) {
    it(basename(p), () => {
      const bytes = readFileSync(p);
      for (const size of [undefined, 4096]) {
        const [grammar, fast] = both(bytes, size);
        expect(fast).toBe(grammar);
      }
    });
  }
});

describe("fast path = grammar when the frame table fills up (synthetic, built inline)", () => {
  it("55,000 goroutines with one pair that never repeats between four that do", () => {
    // Over 50,000 distinct pairs: the frame table is emptied while stacks keep repeating around the
    // new pair, so pairs found by prediction and by lookup must stay the same objects across it.
    const parts: string[] = [];
    for (let i = 1; i <= 55_000; i++) {
      parts.push(
        `goroutine ${i} [select]:\nmain.a(0x1)\n\t/app/a.go:1 +0x1\nmain.u(0x${i.toString(16)})\n\t/app/u.go:2 +0x2\n` +
          `main.c()\n\t/app/c.go:3 +0x3\nmain.d()\n\t/app/d.go:4 +0x4\ncreated by main.main in goroutine 1\n\t/app/m.go:5 +0x5\n`,
      );
    }
    const [grammar, fast] = both(parts.join("\n"));
    expect(fast).toBe(grammar);
  }, 120_000);
});

describe("fast path = grammar where arguments never repeat (uncached runs: pairs read by their skeletons)", () => {
  /** Frame pairs, `u` an argument no other pair has: usual ones, and lines a skeleton must not take. */
  const PAIRS: ((u: string) => string)[] = [
    (u) => `main.a(0x${u})\n\t/app/a.go:1 +0x1`,
    (u) => `main.(*S).b(0x${u}, 0x2)\n\t/app/b.go:2 +0x2`,
    (u) => `main.a(0x${u})\n\t/app/a.go:9 +0x9`,
    (u) => `main.c(0x${u}, {0x1, (0x2)})\n\t/app/c.go:3 +0x3`,
    // The usual pair's function and file line, with a `(` in its arguments: the function is then longer.
    (u) => `main.a(0x${u}, (0x2))\n\t/app/a.go:1 +0x1`,
    (u) => `main.d(0x${u}) \n\t/app/d.go:4 +0x4`,
    (u) => `main.e(0x${u})\r\n\t/app/e.go:5 +0x5\r`,
    () => "main.f(...)\n\t/app/f.go:6 +0x6",
    (u) => `main.g[...](0x${u})\n\t/app/g.go:7 +0x7`,
    (u) => `main.h(0x${u})\napp/h.go:8 +0x8`,
    () => "main.bare\n\t/app/bare.go:10",
    (u) => `main.i(0x${u})\n\t/app/i.go:11 +0x11 fp=0x${u} sp=0x1 pc=0x2`,
    () => "main.j()\n\t/app/j.go:12 +0x12",
    (u) => `goroutine(0x${u})\n\t/app/x.go:1 +0x1`,
    (u) => `main.k(0x${u}\n\t/app/k.go:13 +0xd`,
    (u) => `main.l(0x${u}))\n\t/app/l.go:14 +0xe`,
    (u) => `main.a(0x${u})\n\t/app/a.go:1 +0x1 `,
    () => "...3 frames elided...",
  ];
  const goroutineArb = fc.record({
    state: fc.constantFrom("select", "chan receive", "IO wait, 5 minutes"),
    pairs: fc.array(fc.nat(PAIRS.length - 1), { minLength: 1, maxLength: 8 }),
    // Mostly the usual few shapes, so that skeletons repeat and are predicted.
    usual: fc.boolean(),
    creator: fc.boolean(),
  });
  it(
    `${RUNS} dumps whose arguments differ in every pair, mutated or not, read alike by both paths`,
    () => {
      const before = skeletonStats.pairs;
      fc.assert(
        fc.property(
          fc.array(goroutineArb, { minLength: 20, maxLength: 60 }),
          fc.array(opArb, { maxLength: 3 }),
          fc.constantFrom(undefined, 512, 4096),
          (gs, ops, size) => {
            let u = 0;
            const text = gs
              .map((g, i) => {
                const pairs = g.usual ? [0, 1, 0, 2] : g.pairs;
                const body = pairs.map((k) => PAIRS[k]!((++u).toString(16)));
                const created = g.creator
                  ? [`created by main.main in goroutine 1`, "\t/app/m.go:5 +0x5"]
                  : [];
                return [`goroutine ${i + 2} [${g.state}]:`, ...body, ...created].join("\n");
              })
              .join("\n\n");
            // Every pair new: an uncached run starts after 20 misses, most of the lookups.
            setFrameTableMax(20);
            const [grammar, fast] = both(mutate(`${text}\n`, ops), size);
            expect(fast).toBe(grammar);
          },
        ),
        { numRuns: Math.max(20, RUNS) },
      );
      expect(skeletonStats.pairs - before).toBeGreaterThan(1000);
    },
    Math.max(60_000, RUNS * 200),
  );
});

describe("fast path = grammar where skeletons never repeat, then do (their noting paused and resumed)", () => {
  it("6,000 goroutines each in a function of its own, then 80,000 of a few kinds", () => {
    const parts: string[] = [];
    for (let i = 1; i <= 86_000; i++) {
      const own = i <= 6_000 ? `main.f${i}(0x${i.toString(16)})\n\t/app/f.go:${i} +0x1\n` : "";
      parts.push(
        `goroutine ${i} [select]:\n${own}main.a(0x${i.toString(16)})\n\t/app/a.go:1 +0x1\n` +
          `main.b(0x${(i * 3).toString(16)}, 0x1)\n\t/app/b.go:${i % 3} +0x2\ncreated by main.main in goroutine 1\n\t/app/m.go:5 +0x5\n`,
      );
    }
    setFrameTableMax(20);
    const before = skeletonStats.pairs;
    const [grammar, fast] = both(parts.join("\n"));
    expect(fast).toBe(grammar);
    expect(skeletonStats.pairs - before).toBeGreaterThan(10_000);
  }, 120_000);
});

describe("fast path = grammar on mutated real dumps", () => {
  const sources = listFixtures("generated/go-versions")
    .filter((f) => /crash|sigquit|stack/.test(f))
    .map((f) => readFileSync(fixture(f), "utf8"));
  it(
    `${RUNS} mutated dumps (lines duplicated, deleted, swapped, inserted, CRLF, NULs, truncation)`,
    () => {
      let runs = 0;
      for (const src of sources) {
        fc.assert(
          fc.property(
            fc.array(opArb, { maxLength: 8 }),
            fc.constantFrom(undefined, 512, 4096),
            (ops, size) => {
              runs++;
              const [grammar, fast] = both(mutate(src, ops), size);
              expect(fast).toBe(grammar);
            },
          ),
          { numRuns: Math.max(1, Math.floor(RUNS / sources.length)) },
        );
      }
      expect(runs).toBeGreaterThan(0);
    },
    Math.max(60_000, RUNS * 200),
  );
});
