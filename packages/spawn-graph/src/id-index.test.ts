// The id index against a plain scan, on a real dump's ids and on ids joined from two dumps (repeats).
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdIndex } from "./id-index.ts";

const scanFirst = (ids: ArrayLike<number>, id: number) => Array.prototype.indexOf.call(ids, id);
const scanLast = (ids: ArrayLike<number>, id: number) => Array.prototype.lastIndexOf.call(ids, id);

describe("IdIndex", () => {
  const { goroutines } = parseDump(
    readFileSync(fixture("labeled/leakybank/leakybank-t0060s-debug2.txt"), "utf8"),
  );
  const once = goroutines.map((g) => g.id);
  // Two snapshots of one process joined: most ids repeat.
  const later = parseDump(readFileSync(fixture("labeled/leakybank/leakybank-t0120s-debug2.txt"), "utf8"));
  const joined = [...once, ...later.goroutines.map((g) => g.id)];

  it.each([
    ["one dump", once],
    ["two dumps joined", joined],
  ])("finds the first and last position of every id, and nothing for absent ids (%s)", (_, ids) => {
    const index = IdIndex.of(ids);
    expect(index.size).toBe(ids.length);
    expect(index.distinct()).toBe(new Set(ids).size);
    for (const id of ids) {
      expect(index.first(id)).toBe(scanFirst(ids, id));
      expect(index.last(id)).toBe(scanLast(ids, id));
    }
    const max = Math.max(...ids);
    for (const absent of [-1, 0.5, max + 1, 2 ** 40]) {
      expect(index.first(absent)).toBe(-1);
      expect(index.last(absent)).toBe(-1);
    }
  });

  it("agrees with a scan on any ids, packed or not", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(50), fc.integer({ min: -5, max: 2 ** 52 })), { maxLength: 60 }),
        fc.integer({ min: -6, max: 60 }),
        (ids, probe) => {
          const index = IdIndex.of(ids);
          expect(index.first(probe)).toBe(scanFirst(ids, probe));
          expect(index.last(probe)).toBe(scanLast(ids, probe));
          for (const id of ids) expect(index.first(id)).toBe(scanFirst(ids, id));
        },
      ),
    );
  });
});
