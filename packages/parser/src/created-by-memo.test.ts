// `created by` tokens taken as ones read before but for their parent id (CreatedByMemo,
// ModelBuilder.knownCreatedByAt) must give the model the grammar gives, and be taken only when the
// text is that token again up to the id.
import { afterEach, describe, expect, it } from "vitest";
import { modelKey } from "../test/model-key.ts";
import { parseDump } from "./index.ts";
import { fastPathStats, setGrammarOnly } from "./parser.ts";

afterEach(() => setGrammarOnly(false));

/** Model keys of `input` parsed by the grammar alone and with the fast path, and the tokens it took as known. */
function both(input: string): { grammar: string; fast: string; known: number } {
  setGrammarOnly(true);
  const grammar = modelKey(parseDump(input));
  setGrammarOnly(false);
  const before = fastPathStats.knownCreatedBy;
  const fast = modelKey(parseDump(input));
  return { grammar, fast, known: fastPathStats.knownCreatedBy - before };
}

/**
 * A goroutine whose first frame holds a pointer of its own (so its body is never predicted and its
 * `created by` is always read), ended by `createdBy` (its lines as they are, newlines included).
 */
function block(id: number, createdBy: string): string {
  const ptr = (0x275318384070 + id * 8).toString(16);
  return `goroutine ${id} [chan receive]:\nmain.(*Server).serveConn(0x0?, 0x${ptr}, 0x14)\n\tspawnfarm/main.go:78 +0x153\n${createdBy}\n`;
}

function dump(n: number, createdBy: (i: number) => string): string {
  let s = "";
  for (let i = 0; i < n; i++) s += block(100 + i, createdBy(i));
  return s;
}

describe("a `created by` read before but for its parent id", () => {
  it("is taken at once with each goroutine's own parent id", () => {
    const r = both(
      dump(
        50,
        (i) => `created by main.(*Server).Serve in goroutine ${21 + i * 7}\n\tspawnfarm/main.go:84 +0x45\n`,
      ),
    );
    expect(r.fast).toBe(r.grammar);
    expect(r.known).toBe(49);
    expect(r.grammar).toContain(`"parentId":364`);
  });

  it("tells apart the go statements of one function (several file lines after one head)", () => {
    // Seven sites under one head in turns (as the 216k bench dump's handleRequest), and twenty: more
    // than a head keeps, each dropped before it comes again (read and parsed every time, correctly).
    for (const [sites, known] of [
      [7, 193],
      [20, 0],
    ] as const) {
      const r = both(
        dump(
          200,
          (i) =>
            `created by main.(*Conn).handleRequest in goroutine ${4274 + (i >> 3)}\n\tspawnfarm/main.go:${40 + (i % sites)} +0x${(0x100 + (i % sites)).toString(16)}\n`,
        ),
      );
      expect(r.fast, `${sites} sites`).toBe(r.grammar);
      expect(r.known, `${sites} sites`).toBe(known);
    }
    // Only the offset differs.
    const r = both(
      dump(40, (i) => `created by main.f in goroutine 9\n\tmain.go:3 +0x${i % 2 === 0 ? "45" : "46"}\n`),
    );
    expect(r.fast).toBe(r.grammar);
    expect(r.known).toBe(38);
  });

  it("is taken without a parent id (Go before 1.21), with CRLF line ends and blanks after the id", () => {
    const old = both(dump(20, () => "created by main.main\n\t/app/main.go:102 +0x1b3\n"));
    expect(old.fast).toBe(old.grammar);
    expect(old.known).toBe(19);
    const crlf = both(
      dump(
        20,
        (i) => `created by main.main in goroutine ${i + 1} \t\r\n\t/app/main.go:102 +0x1b3\r\n`,
      ).replace(/\n\n/g, "\r\n\r\n"),
    );
    expect(crlf.fast).toBe(crlf.grammar);
    expect(crlf.known).toBeGreaterThan(0);
  });

  it("is not taken where the text differs from it but for the id", () => {
    const cases: Record<string, (i: number) => string> = {
      // No file line (every other one): where such a token ends depends on the line after it.
      "no file line": (i) =>
        `created by main.f in goroutine ${i + 1}\n${i % 2 === 0 ? "" : "\tmain.go:3 +0x45\n"}`,
      // Text after the id: the parse reads no id from it.
      "text after the id": (i) => `created by main.f in goroutine ${i + 1} (exited)\n\tmain.go:3 +0x45\n`,
      // Ids of more digits than Number() reads exactly.
      "long ids": (i) =>
        `created by main.f in goroutine ${i % 2 === 0 ? "1234567890123456789" : "12"}\n\tmain.go:3 +0x45\n`,
      // No id after `in goroutine`.
      "no id": (i) => `created by main.f in goroutine ${i % 2 === 0 ? "" : "x"}\n\tmain.go:3 +0x45\n`,
    };
    for (const [name, createdBy] of Object.entries(cases)) {
      const r = both(dump(20, createdBy));
      expect(r.fast, name).toBe(r.grammar);
    }
    // Only the ones with their file line can be taken.
    expect(both(dump(20, cases["no file line"]!)).known).toBe(9);
    expect(both(dump(20, cases["text after the id"]!)).known).toBe(0);
    // The long ids alternate with short ones: only the short ones can be taken.
    expect(both(dump(20, cases["long ids"]!)).known).toBe(9);
  });
});
