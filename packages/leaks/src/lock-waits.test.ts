// The columns that hold lock waits and parent ids, and the id index, give back exactly what was put in. Inputs are
// hand-written here (pointer texts at the edges of what a double holds, ids that collide in a small table).
import { describe, expect, it } from "vitest";
import { IdSet, LastPositions } from "./id-set.ts";
import { LockWaits } from "./lock-waits.ts";

describe("LockWaits", () => {
  it("gives back every pointer text exactly, including ones a double cannot hold", () => {
    const pointers = [
      "0xc000123450",
      "0x000000c000123450", // leading zeros: would print back without them
      "0xffffffffffffff", // 14 digits: beyond 2^53
      "0x1fffffffffffff", // 2^53 - 1, 14 digits
      "0xfffffffffffff", // 13 digits: exact
      "0xabcdef",
    ];
    const w = new LockWaits();
    const f = w.frameId("main.(*A).f", "/app/a.go", 12);
    for (const [i, p] of pointers.entries()) w.push(i, i + 1, f, { wait: p, args: [p, pointers[0]!] });
    const out = w.toArray();
    expect(out.map((x) => x.wait)).toEqual(pointers);
    expect(out.map((x) => x.args)).toEqual(pointers.map((p) => [p, pointers[0]]));
    expect(out[2]).toMatchObject({ sig: 2, site: 3, fn: "main.(*A).f", file: "/app/a.go", line: 12 });
    // Through plain data, as between threads, with ids mapped and a limit.
    const merged = new LockWaits();
    merged.push(9, 9, merged.frameId("x", "y", 1), { wait: "0x00000001", args: [] });
    merged.append(structuredClone(w.partial()), [10, 11, 12, 13, 14, 15], [0, 20, 21, 22, 23, 24, 25], 4);
    const m = merged.toArray();
    expect(m.map((x) => x.wait)).toEqual(["0x00000001", ...pointers.slice(0, 3)]);
    expect(m[3]).toMatchObject({ sig: 12, site: 22, fn: "main.(*A).f", args: [pointers[2], pointers[0]] });
  });
});

describe("IdSet", () => {
  it("makes no hash table until a lookup needs one, and answers the same without it", () => {
    const table = (s: IdSet) => (s as unknown as { table: Int32Array }).table.length;
    const s = new IdSet();
    // Ids in increasing order (a group's parents in a dump sorted by id) are appended without a lookup.
    for (const v of [3, 5, 9]) s.add(v);
    expect(table(s)).toBe(0);
    expect(new IdSet([1, 2, 3]).size).toBe(3);
    // Nothing is in an empty set, whatever is asked (a probe of a table with no slots would never end).
    const empty = new IdSet();
    for (const v of [0, -1, Number.NaN, Number.NEGATIVE_INFINITY]) expect(empty.has(v)).toBe(false);
    expect(empty.add(Number.NEGATIVE_INFINITY).size).toBe(1);
    expect(empty.has(Number.NEGATIVE_INFINITY)).toBe(true);
    // A smaller id asks for a lookup: the table is made then, with the ids appended before it.
    s.add(4);
    expect(table(s)).toBeGreaterThan(0);
    expect([...s.add(5).add(3)]).toEqual([3, 5, 9, 4]);
    expect([3, 4, 5, 9, 6].map((v) => s.has(v))).toEqual([true, true, true, true, false]);
  });

  it("keeps each number once, in the order first added, as a Set does", () => {
    const s = new IdSet();
    const ref = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      // Multiples of a power of two and ids beyond 2^32 collide in a naive table.
      const v = [i * 1024, (i % 97) * 2 ** 33, 2 ** 53 - i, i % 13][i % 4]!;
      s.add(v);
      ref.add(v);
    }
    expect(s.size).toBe(ref.size);
    expect([...s]).toEqual([...ref]);
    expect(s.has(2 ** 53 - 2)).toBe(true);
    expect(s.has(3 * 1024 + 1)).toBe(false);
    expect([...new IdSet(s.toArray())]).toEqual([...ref]);
  });

  it("answers as a Set does from its first numbers on, whether made empty or from a list", () => {
    // A set of one number keeps no list (it is `max`): each way of reading it, and every next step, is
    // checked against a Set, for sets made empty and from lists of 0 to 3 numbers.
    const steps = [7, 7, 3, -1, Number.NEGATIVE_INFINITY, 2 ** 40, 0.5, 7, 1_000_000];
    const starts = [[], [5], [5, 5], [9, 2], [2, 9, 4]];
    for (const start of starts) {
      for (const made of [new IdSet(Float64Array.from(start)), new IdSet(start)]) {
        const ref = new Set<number>(start);
        const check = () => {
          expect(made.size).toBe(ref.size);
          expect([...made.view()]).toEqual([...ref]);
          for (const v of [...steps, 5, 9, 2, 4, 8]) expect(made.has(v)).toBe(ref.has(v));
        };
        check();
        for (const v of steps) {
          made.add(v);
          ref.add(v);
          check();
          expect([...made.toArray()]).toEqual([...ref]);
          expect([...made]).toEqual([...ref]);
        }
      }
    }
    // A lookup in a set of one number made without a list.
    const one = new IdSet();
    expect(one.add(Number.NEGATIVE_INFINITY).has(Number.NEGATIVE_INFINITY)).toBe(true);
    expect(new IdSet().add(4).has(4)).toBe(true);
    expect(new IdSet().add(4).has(3)).toBe(false);
  });

  it("finds a number appended without a lookup (ids in increasing order) when it comes again", () => {
    const s = new IdSet();
    const ref = new Set<number>();
    // Increasing runs (appended without hashing) broken by repeats and smaller ids, past several table sizes.
    for (let i = 0; i < 3000; i++) {
      const v = i % 5 === 4 ? Math.floor(i / 3) : i * 7;
      s.add(v);
      ref.add(v);
      if (i % 500 === 0) expect(s.has(i * 7)).toBe(true);
    }
    expect(s.size).toBe(ref.size);
    expect([...s]).toEqual([...ref]);
    expect(s.has(7 * 2998)).toBe(true);
    expect(s.has(7 * 2998 + 1)).toBe(false);
    expect(s.has(-1)).toBe(false);
    const sorted = new IdSet(Float64Array.from({ length: 100 }, (_, i) => i * 3));
    expect(sorted.size).toBe(100);
    expect(sorted.add(297).size).toBe(100);
    expect(sorted.has(150)).toBe(true);
    expect(sorted.has(151)).toBe(false);
  });
  it("keeps dense ids in a bitmap once big enough, and goes back to hashing for an id out of its bounds", () => {
    // Ids in no order below 20,000 (as a big group's parents in allgs order): the set turns dense at a
    // table growth, then grows its bitmap, then meets ids a bitmap cannot hold (negative, fractional, huge).
    const s = new IdSet();
    const ref = new Set<number>();
    const add = (v: number) => {
      s.add(v);
      ref.add(v);
    };
    for (let i = 0; i < 6000; i++) add((i * 7919) % 20_000);
    expect((s as unknown as { bits: Int32Array | null }).bits).not.toBeNull();
    expect(s.has(7919)).toBe(true);
    expect(s.has(7920)).toBe(false);
    expect(s.has(20_000 * 40)).toBe(false);
    expect(s.has(-1)).toBe(false);
    expect(s.has(0.5)).toBe(false);
    // Beyond the bitmap but within its bound: a bigger bitmap.
    for (let i = 0; i < 3000; i++) add(30_000 + ((i * 104_729) % 3000));
    expect((s as unknown as { bits: Int32Array | null }).bits).not.toBeNull();
    expect([...s]).toEqual([...ref]);
    // Repeats of ids already kept add nothing.
    for (let i = 0; i < 6000; i += 7) add((i * 7919) % 20_000);
    expect(s.size).toBe(ref.size);
    for (const v of [-3, 2.5, 2 ** 40, 2 ** 31, -0]) add(v);
    expect((s as unknown as { bits: Int32Array | null }).bits).toBeNull();
    for (const v of [7919, 30_001, -3, 2.5, 2 ** 40, 2 ** 31, 0]) expect(s.has(v)).toBe(true);
    expect(s.has(7920)).toBe(false);
    add(7920);
    add(7919);
    expect(s.size).toBe(ref.size);
    expect([...s]).toEqual([...ref]);
    expect([...s.view()]).toEqual([...ref]);
    expect([...new IdSet(s.toArray())]).toEqual([...ref]);
  });

  it("stays hashed when its ids are too sparse for a bitmap", () => {
    const s = new IdSet();
    const ref = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const v = ((i * 7919) % 5000) * 1000;
      s.add(v);
      ref.add(v);
    }
    expect((s as unknown as { bits: Int32Array | null }).bits).toBeNull();
    expect(s.size).toBe(ref.size);
    expect([...s]).toEqual([...ref]);
    expect(s.has(1000)).toBe(true);
    expect(s.has(1001)).toBe(false);
  });
});

describe("LastPositions", () => {
  it("finds the last position of each id, as a sorted index does, repeats included", () => {
    // Ids in dump order with repeats (dumps joined) and values that collide in a small table.
    const ids = Float64Array.from({ length: 3000 }, (_, i) => [i * 1024, (i % 50) * 2 ** 33, i % 7][i % 3]!);
    const p = new LastPositions(ids);
    for (let k = 0; k < ids.length; k++) expect(p.last(ids[k]!)).toBe(ids.lastIndexOf(ids[k]!));
    expect(p.last(5)).toBe(ids.lastIndexOf(5));
    expect(p.last(1023)).toBe(-1);
    expect(new LastPositions(new Float64Array(0)).last(0)).toBe(-1);
  });

  it("finds the last position of dense ids through a slot per id, and nothing for ids outside them", () => {
    // Ids below 4,000 in no order, a quarter of them missing, some repeated (dumps joined): dense.
    const ids = Float64Array.from({ length: 3000 }, (_, i) => (i * 7919) % 4000);
    for (let i = 0; i < ids.length; i += 10) ids[i] = ids[(i * 31) % ids.length]!;
    const p = new LastPositions(ids);
    expect((p as unknown as { dense: boolean }).dense).toBe(true);
    for (let v = 0; v < 4000; v++) expect(p.last(v)).toBe(ids.lastIndexOf(v));
    for (const v of [-1, 4000, 10 ** 9, 2.5, Number.NaN, -0]) expect(p.last(v)).toBe(ids.lastIndexOf(v));
    // A negative id, a fraction or one far beyond the count: hashed as before.
    for (const odd of [-5, 0.5, 10 ** 7]) {
      const q = new LastPositions(Float64Array.from([...ids, odd]));
      expect((q as unknown as { dense: boolean }).dense).toBe(false);
      expect(q.last(odd)).toBe(ids.length);
      expect(q.last(ids[5]!)).toBe(ids.lastIndexOf(ids[5]!));
    }
  });
});
