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
import { parseDump } from "./index.ts";
import { fastPathStats, setGrammarOnly } from "./parser.ts";

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

afterEach(() => setGrammarOnly(false));

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
