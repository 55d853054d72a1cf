// A goroutine's whole body read at once (ModelBuilder.frameRun, FrameTable.bodyAfter): the body that
// followed the same first pair last time, compared where it lies, must give the model the grammar
// gives, and only when the text is that body again (up to the parent id).
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { Dump } from "@gosleuth/model";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { modelKey } from "../test/model-key.ts";
import { BODIES_PER_FIRST, setBodyCharsMax, setFreezeShared } from "./body-prediction.ts";
import { setPromoteHits } from "./frame.ts";
import { parseDump } from "./index.ts";
import { fastPathStats, setGrammarOnly } from "./parser.ts";
import { Session } from "./session.ts";

// The counts of blocks read at once below assume a frame enters the frame table at its second sight; the
// default waits for more hits (PROMOTE_HITS), which only moves when predictions start: tested apart below.
beforeEach(() => setPromoteHits(1));
afterEach(() => {
  setGrammarOnly(false);
  setPromoteHits(undefined);
});

/** The input parsed by the grammar alone and with the fast path, and the bodies the fast path predicted. */
function both(
  input: string | Uint8Array,
  pieceSize?: number,
): { grammar: Dump; fast: Dump; predicted: number } {
  setGrammarOnly(true);
  const grammar = parseDump(input, { pieceSize });
  setGrammarOnly(false);
  const before = fastPathStats.predicted;
  const fast = parseDump(input, { pieceSize });
  return { grammar, fast, predicted: fastPathStats.predicted - before };
}

function expectSame(r: { grammar: Dump; fast: Dump }): void {
  expect(modelKey(r.fast)).toBe(modelKey(r.grammar));
}

// Hand-written blocks (built inline): one kind of goroutine whose stack repeats, as a real dump's do.
const FIRST = "main.(*Server).serveConn(0x0?, 0x275318384070, 0x14)\n\tspawnfarm/main.go:78 +0x153\n";
const REST =
  "main.(*Server).handle(...)\n\tspawnfarm/main.go:60\nmain.(*Server).loop(0x1)\n\tspawnfarm/main.go:50 +0x2a\n" +
  "created by main.(*Server).Serve in goroutine ";
const TAIL = "\n\tspawnfarm/main.go:84 +0x45\n";

function block(id: number, parent: string | number, rest = REST, tail = TAIL): string {
  return `goroutine ${id} [chan receive]:\n${FIRST}${rest}${parent}${tail}`;
}

describe("a goroutine's body predicted from its first pair", () => {
  it("real dumps: most blocks are read at once, with the grammar's model", () => {
    // leakybank's goroutines repeat their stacks with the same arguments; caddy's hold pointers that
    // differ in every goroutine, so none of its bodies repeats.
    const bank = both(readFileSync(fixture("labeled/leakybank/leakybank-t0180s-debug2.txt")));
    expectSame(bank);
    expect(bank.predicted).toBeGreaterThan(4000);
    // Go 1.19: `created by` without a parent id.
    const old = both(readFileSync(fixture("generated/go-versions/go1.19-spawnfarm-stack.txt")));
    expectSame(old);
    expect(old.predicted).toBeGreaterThan(500);
    const caddy = both(readFileSync(fixture("generated/servers/caddy-2.11-t0-debug2.txt")));
    expectSame(caddy);
    expect(caddy.predicted).toBe(0);
  });

  it("a hit: the same frames in the one array of the goroutine it was read from, the parent id read", () => {
    const r = both([block(9, 1), block(10, 1), block(11, 2), block(12, 3)].join("\n"));
    expectSame(r);
    // The first builds its frames (most lookups missed: not remembered), the second is remembered,
    // the two after it are read at once.
    expect(r.predicted).toBe(2);
    const [, a, b, c] = r.fast.goroutines;
    expect(b!.createdBy?.parentId).toBe(2);
    expect(c!.createdBy?.parentId).toBe(3);
    expect(c!.frames).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(b!.frames[i]).toBe(a!.frames[i]);
      expect(c!.frames[i]).toBe(a!.frames[i]);
    }
    // No copy per goroutine: the remembered goroutine's array is shared (no one may write it: a push
    // would change every goroutine that repeats the body).
    expect(b!.frames).toBe(a!.frames);
    expect(c!.frames).toBe(a!.frames);
    // The first goroutine's was never remembered: its own.
    expect(r.fast.goroutines[0]!.frames).not.toBe(a!.frames);
    expect(c!.createdBy).not.toBe(b!.createdBy);
    expect(c!.lines).toEqual({ start: 31, end: 39 });
  });

  it("a miss one byte in, anywhere in the body but the parent id: read pair by pair", () => {
    const body = `${REST}7${TAIL}`;
    const idAt = REST.length;
    const head = `${block(9, 7)}\n${block(10, 7)}\ngoroutine 11 [chan receive]:\n${FIRST}`;
    expect(both(head + body).predicted).toBe(1);
    for (let i = 0; i < body.length; i++) {
      if (i === idAt) continue;
      const ch = body[i] === "x" ? "y" : "x";
      const r = both(head + body.slice(0, i) + ch + body.slice(i + 1));
      expectSame(r);
      expect(r.predicted, `byte ${i} changed`).toBe(0);
    }
  });

  it("parent ids of any length up to 15 digits, longer ones through the slow path", () => {
    const ids = ["1", "7", "12345", "0012", "123456789012345", "1234567890123456", "99"];
    const r = both(ids.map((id, i) => block(20 + i, id)).join("\n"));
    expectSame(r);
    expect(r.fast.goroutines.map((g) => g.createdBy?.parentId)).toEqual(ids.map(Number));
    // All but the first two and the 16-digit one.
    expect(r.predicted).toBe(4);
  });

  it("`created by` without its file line: never remembered, never predicted, the warning every time", () => {
    const noFile = (id: number) => `goroutine ${id} [chan receive]:\n${FIRST}${REST}1\n`;
    const r = both([noFile(1), noFile(2), block(3, 1), noFile(4), block(5, 1)].join("\n"));
    expectSame(r);
    const warnings = r.fast.diagnostics.filter((d) => d.message.includes("without its file line"));
    expect(warnings).toHaveLength(3);
    // Only goroutine 5 (after 3's body was remembered).
    expect(r.predicted).toBe(1);
  });

  it("a body that gave a diagnostic is not remembered: the next one gives it too", () => {
    const bare = "main.f)(\n\t/app/x.go:1 +0x1\ncreated by main.main in goroutine ";
    const r = both([block(1, 1, bare), block(2, 1, bare), block(3, 1, bare)].join("\n"));
    expectSame(r);
    expect(r.fast.diagnostics.filter((d) => d.message.includes("not a Go call"))).toHaveLength(3);
    expect(r.predicted).toBe(0);
  });

  it("what follows a predicted body is not part of it: a frame pair right after `created by`", () => {
    const stray = "main.x()\n\t/app/x.go:1 +0x1\n";
    const r = both(`${block(1, 1)}\n${block(2, 1)}\n${block(3, 1)}${stray}\n${block(4, 1)}${stray}`);
    expectSame(r);
    expect(r.predicted).toBe(2);
    expect(r.fast.goroutines.map((g) => g.frames.length)).toEqual([3, 3, 3, 3]);
  });

  it("shared arrays frozen on request: no step of the parser writes one", () => {
    // The stray pair after a predicted body must not go into the shared array (it would throw here).
    const stray = "main.x()\n\t/app/x.go:1 +0x1\n";
    const rest = `${REST.slice(0, REST.indexOf("created by"))}...12 frames elided...\ncreated by main.main in goroutine `;
    setFreezeShared(true);
    try {
      const r = both(
        `${block(1, 1)}\n${block(2, 1)}\n${block(3, 1)}${stray}\n${block(4, 1)}${stray}\n${block(5, 1, rest)}\n${block(6, 1, rest)}\n${block(7, 1, rest)}`,
      );
      expectSame(r);
      const [, a, b, c, , e, f] = r.fast.goroutines;
      expect(b!.frames).toBe(a!.frames);
      expect(c!.frames).toBe(a!.frames);
      expect(Object.isFrozen(a!.frames)).toBe(true);
      expect(() => (a!.frames as unknown[]).push(a!.frames[0])).toThrow(TypeError);
      expect(f!.elided).toBe(e!.elided);
      expect(Object.isFrozen(e!.elided)).toBe(true);
      expect(Object.isFrozen(e!.elided[0])).toBe(true);
      const bank = both(readFileSync(fixture("labeled/leakybank/leakybank-t0180s-debug2.txt")));
      expectSame(bank);
      expect(bank.fast.goroutines.filter((g) => Object.isFrozen(g.frames)).length).toBeGreaterThan(4000);
    } finally {
      setFreezeShared(false);
    }
    // Off (the default): nothing frozen.
    const r = both([block(1, 1), block(2, 1), block(3, 1)].join("\n"));
    expect(r.fast.goroutines[2]!.frames).toBe(r.fast.goroutines[1]!.frames);
    expect(Object.isFrozen(r.fast.goroutines[1]!.frames)).toBe(false);
  });

  it("elision markers: the same indexes, the remembered goroutine's list shared", () => {
    const rest = `${REST.slice(0, REST.indexOf("created by"))}...12 frames elided...\ncreated by main.main in goroutine `;
    const r = both([block(1, 1, rest), block(2, 1, rest), block(3, 1, rest)].join("\n"));
    expectSame(r);
    expect(r.predicted).toBe(1);
    const [, a, b] = r.fast.goroutines;
    expect(b!.elided).toEqual([{ index: 3, count: 12 }]);
    expect(b!.elided).toBe(a!.elided);
    expect(b!.frames).toBe(a!.frames);
  });

  it("Go before 1.21 (no parent id): the whole `created by` token compared", () => {
    const old = "main.f()\n\t/app/x.go:1 +0x1\ncreated by main.main";
    const other = "\n\t/app/m.go:9 +0x2\n";
    const r = both(
      [block(1, "", old), block(2, "", old), block(3, "", old), block(4, "", old, other)].join("\n"),
    );
    expectSame(r);
    expect(r.predicted).toBe(1);
    expect(r.fast.goroutines[3]!.createdBy?.line).toBe(9);
  });

  it("a block cut anywhere (the input or a piece ends inside it): what the grammar reads", () => {
    const head = `${block(10, 1)}\n${block(11, 2)}\n`;
    const last = block(12, 345);
    expect(both(head + last).predicted).toBe(1);
    for (let i = 1; i < last.length; i++) {
      for (const size of [undefined, 256]) {
        const r = both(head + last.slice(0, i), size);
        expectSame(r);
      }
    }
  });

  it("predicted pairs count as the lookups they stand for, so the frame table decides as the grammar does", () => {
    // Each pair of goroutines: one with two pairs never seen before (two lookups that miss), one whose
    // four pairs repeat (four hits, three of them inside a predicted body). The table fills at 50,000
    // pairs with 2/3 of its lookups hits and stays in use; counting the predicted pairs as no lookups
    // would leave 1/3, frames would be built apart after it, and the frame sharing would differ.
    const parts: string[] = [];
    for (let i = 0; i < 26_000; i++) {
      parts.push(
        `goroutine ${2 * i + 1} [select]:\nmain.u(0x${i.toString(16)})\n\t/app/u.go:2 +0x2\n` +
          `main.v(0x${i.toString(16)})\n\t/app/v.go:3 +0x3\ncreated by main.main in goroutine 1\n\t/app/m.go:5 +0x5\n`,
        block(2 * i + 2, i),
      );
    }
    const r = both(parts.join("\n"));
    expectSame(r);
    expect(r.predicted).toBeGreaterThan(25_000);
  }, 120_000);
});

describe("a body holding a frame seen once (young, not yet in the frame table)", () => {
  // Goroutines of one kind whose body after the first pair repeats, so that the table's hits are most
  // of its lookups; then bodies whose middle pair X is new when the body is remembered.
  const Y = "main.(*Server).handle(0x1)\n\tspawnfarm/main.go:60 +0x1\n";
  const X = "main.(*Server).work(0xc000abc)\n\tspawnfarm/main.go:61 +0x2\n";
  const end = "created by main.(*Server).Serve in goroutine 1\n\tspawnfarm/main.go:84 +0x45\n";
  let id = 1000;
  const g = (middle: string) => `goroutine ${id++} [chan receive]:\n${FIRST}${middle}${end}`;
  // Goroutines whose only pair is new each time (first pairs are never remembered after them).
  const unique = (n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `goroutine ${id++} [select]:\nmain.u(0x${(0x100000 + i).toString(16)})\n\t/app/u.go:2 +0x2\n${end}`,
    );
  const framesOf = (d: Dump, i: number) => d.goroutines[i]!.frames;

  it("predicting it takes that frame into the table, as the grammar's lookup does", () => {
    // After the bodies with X, 600 new pairs empty the table of pairs seen once (512): X, in the frame
    // table by then, is still the one frame for its text, also after another first pair.
    const other = `goroutine ${id++} [select]:\nmain.other()\n\t/app/o.go:1 +0x1\n${X}${end}`;
    const blocks = [...Array.from({ length: 8 }, () => g(Y)), g(X), g(X), g(X), ...unique(600), other];
    const r = both(blocks.join("\n"));
    expectSame(r);
    const x = framesOf(r.fast, 8)[1];
    expect(framesOf(r.fast, 9)[1]).toBe(x);
    expect(framesOf(r.fast, 10)[1]).toBe(x);
    expect(framesOf(r.fast, 11 + 600)[1]).toBe(x);
    // The bodies with X were read at once after the first.
    const noX = both(blocks.slice(0, 9).join("\n")).predicted;
    expect(both(blocks.slice(0, 11).join("\n")).predicted - noX).toBe(2);
  });

  it("by default a young frame enters the table at its fourth hit, counted alike on both paths", () => {
    setPromoteHits(undefined);
    // X seen once then `hits` more times in predicted or read bodies, 600 new pairs (the young table
    // is emptied), then X after another first pair: the same frame only when X was interned by then.
    for (const [hits, interned] of [
      [3, false],
      [4, true],
    ] as const) {
      const other = `goroutine ${id++} [select]:\nmain.other()\n\t/app/o.go:1 +0x1\n${X}${end}`;
      const blocks = [
        ...Array.from({ length: 8 }, () => g(Y)),
        ...Array.from({ length: 1 + hits }, () => g(X)),
        ...unique(600),
        other,
      ];
      const r = both(blocks.join("\n"));
      expectSame(r);
      const x = framesOf(r.fast, 8)[1];
      const last = framesOf(r.fast, blocks.length - 1)[1];
      expect(last).toEqual(x);
      if (interned) expect(last).toBe(x);
      else expect(last).not.toBe(x);
      // The bodies with X after the first were read at once (X's hits counted by the prediction).
      const noX = both(blocks.slice(0, 9).join("\n")).predicted;
      expect(both(blocks.slice(0, 9 + hits).join("\n")).predicted - noX).toBe(hits);
    }
  });

  it("once that frame was dropped with the pairs seen once, the body is not used: read pair by pair", () => {
    // 600 new pairs after the first body with X: the table of pairs seen once (512) was emptied, so
    // a lookup of X builds another frame; the remembered body's X is not it.
    const blocks = [...Array.from({ length: 8 }, () => g(Y)), g(X), ...unique(600), g(X), g(X)];
    const r = both(blocks.join("\n"));
    expectSame(r);
    const at = 8 + 1 + 600;
    const first = framesOf(r.fast, 8)[1];
    const again = framesOf(r.fast, at)[1];
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    // The next one repeats the body read pair by pair just before it: read at once, the same frame.
    expect(framesOf(r.fast, at + 1)[1]).toBe(again);
    const upTo = both(blocks.slice(0, at).join("\n")).predicted;
    const withOne = both(blocks.slice(0, at + 1).join("\n")).predicted;
    expect(withOne - upTo).toBe(0);
  });
});

describe("several bodies per first frame", () => {
  // Hand-written blocks (built inline): goroutines that start with the same pair and go on in one of
  // several ways (the second frame's argument tells them apart).
  const rest = (i: number) =>
    `main.(*Server).handle(0x${i.toString(16)})\n\tspawnfarm/main.go:60 +0x1\n` +
    "main.(*Server).loop(0x1)\n\tspawnfarm/main.go:50 +0x2a\ncreated by main.(*Server).Serve in goroutine ";
  let id = 100;
  const kind = (i: number, parent: string | number = 1) => block(id++, parent, rest(i));

  /** Whether each block was read at once: parsed by prefixes (parsing is deterministic and in order). */
  function predictedEach(blocks: string[]): boolean[] {
    const out: boolean[] = [];
    let before = 0;
    for (let n = 1; n <= blocks.length; n++) {
      const r = both(blocks.slice(0, n).join("\n"));
      expectSame(r);
      out.push(r.predicted > before);
      before = r.predicted;
    }
    return out;
  }

  it("two bodies after one first frame, alternating: both read at once after the warm-up", () => {
    const blocks: string[] = [];
    for (let i = 0; i < 6; i++) blocks.push(kind(0), kind(1));
    const each = predictedEach(blocks);
    // The first two of each kind are read pair by pair (the first is not remembered while most lookups
    // miss); from then on every block of both kinds is read at once.
    expect(each.slice(4)).toEqual(Array(8).fill(true));
  }, 60_000);

  it("a full list gives way at its least recently hit body, once it missed BODY_MISSES times since its last hit", () => {
    const K = BODIES_PER_FIRST;
    const blocks: string[] = [];
    // Each kind read twice: the second time at the latest it is remembered.
    for (let i = 0; i < K; i++) blocks.push(kind(i), kind(i));
    const warm = blocks.length;
    // Kinds 1..K-1 hit (each moves to the front): kind 0 is now the least recently hit.
    for (let i = 1; i < K; i++) blocks.push(kind(i));
    // A new kind: kind 0 missed every kind read first after it (more than BODY_MISSES times since it
    // was remembered), so the new kind takes its place at its first read, then is read at once.
    for (let n = 0; n < 5; n++) blocks.push(kind(K));
    // Kind 0 dropped out; it takes the place of kind 1 (now the least recently hit, and missed by the
    // hits of kinds 2..K-1), so kind 1 misses and kind 0 hits.
    blocks.push(kind(0), kind(1), kind(0));
    const each = predictedEach(blocks);
    expect(each.slice(warm)).toEqual([
      ...Array(K - 1).fill(true),
      false,
      true,
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
  }, 120_000);

  it("a miss one byte in with a full list of candidates: read pair by pair", () => {
    const K = BODIES_PER_FIRST;
    const warm: string[] = [];
    for (let i = 0; i < K; i++) warm.push(kind(i), kind(i));
    const head = `${warm.join("\n")}\ngoroutine 9 [chan receive]:\n${FIRST}`;
    // The body of kind 3 (a candidate in the middle of the list).
    const body = `${rest(3)}7${TAIL}`;
    const idAt = rest(3).length;
    const base = both(warm.join("\n")).predicted;
    expect(both(head + body).predicted - base).toBe(1);
    for (let i = 0; i < body.length; i++) {
      if (i === idAt) continue;
      const ch = body[i] === "x" ? "y" : "x";
      const r = both(head + body.slice(0, i) + ch + body.slice(i + 1));
      expectSame(r);
      expect(r.predicted - base, `byte ${i} changed`).toBe(0);
    }
  }, 120_000);

  it("parent ids of another length than the remembered one's, behind the front of the list", () => {
    const blocks = [kind(0, 7), kind(0, 7), kind(1, 7), kind(1, 7)];
    const ids = ["12", "123456789012345", "3", "99999"];
    for (const p of ids) blocks.push(kind(0, p));
    const r = both(blocks.join("\n"));
    expectSame(r);
    expect(r.fast.goroutines.slice(4).map((g) => g.createdBy?.parentId)).toEqual(ids.map(Number));
    expect(predictedEach(blocks).slice(4)).toEqual([true, true, true, true]);
  }, 60_000);

  it("the character cap reached: every body is forgotten, then remembered again", () => {
    // Room for two of these bodies (each the text up to the parent id and the tail after it).
    const size = rest(0).length + TAIL.length;
    setBodyCharsMax(2 * size + 1);
    try {
      const blocks = [kind(0), kind(0), kind(1), kind(1), kind(0), kind(2), kind(2), kind(0), kind(2)];
      const each = predictedEach(blocks);
      // Kinds 0 and 1 are remembered (two bodies fit) and hit; kind 2's body empties the table when it
      // is remembered, so kind 0 misses after it (and is remembered again beside kind 2).
      expect(each).toEqual([false, false, false, true, true, false, true, false, true]);
    } finally {
      setBodyCharsMax(undefined);
    }
  }, 60_000);

  it("nothing is remembered after a frame seen for the first time; from its second sight on it is", () => {
    // First pairs with arguments that differ in every goroutine (27,119 of the 216k bench dump's
    // distinct function lines appear once), then one of them again and again.
    const first = (n: number) => `main.wait(0x${n.toString(16)}?)\n\tspawnfarm/main.go:20 +0x11\n`;
    const g = (id: number, n: number) => `goroutine ${id} [chan receive]:\n${first(n)}${REST}1${TAIL}`;
    const unique = Array.from({ length: 40 }, (_, i) => g(10 + i, 1000 + i));
    const s = new Session();
    s.feed(unique.join("\n"));
    s.collect();
    expect(s.builder.frameTable.bodies.rememberedChars).toBe(0);
    // The first of them again (goroutine 10's first frame): its body is remembered at this second
    // sight (goroutine 60), and goroutines 61 and 62 are read at once.
    const repeated = [...unique, g(60, 1000), g(61, 1000), g(62, 1000)];
    const r = both(repeated.join("\n"));
    expectSame(r);
    expect(r.predicted).toBe(2);
    const t = new Session();
    t.feed(repeated.join("\n"));
    t.collect();
    expect(t.builder.frameTable.bodies.rememberedChars).toBeGreaterThan(0);
  });
});
