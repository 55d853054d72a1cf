// Argument comparison: the grouping key and the display agree on what a pointer is; merging marks exactly
// the positions that differ.
import { describe, expect, it } from "vitest";
import { argsKey, isPointerLike, mergeArgs, newMergedArgs, showArgs } from "./args.ts";

describe("pointer-like values", () => {
  it("the grouping key replaces exactly the atoms isPointerLike accepts", () => {
    const atoms = [
      "0x0",
      "0x7fffff",
      "0x800000",
      "0x800000?",
      "0xc000123450",
      "0xc000123450?",
      "0x1c87c6e",
      "0x4",
      "0x72?",
      "0xffffffffffffffff",
      "0x12345678901234567",
      "...",
      "{}",
      "0xzz",
      "0x8000001",
    ];
    for (const a of atoms) {
      const expected = isPointerLike(a) ? "*" : a;
      expect(argsKey(a, "pointers"), a).toBe(expected);
      expect(argsKey(`{${a}, 0x1}`, "pointers"), a).toBe(`{${expected}, 0x1}`);
      expect(argsKey(`0x1, ${a}`, "pointers"), a).toBe(`0x1, ${expected}`);
    }
    expect(argsKey("0xc000123450, 0x1", "any")).toBe("");
    expect(argsKey("0xc000123450, 0x1", "exact")).toBe("0xc000123450, 0x1");
  });
});

describe("mergeArgs", () => {
  it("marks differing positions, and the whole list when the shapes differ", () => {
    const m = newMergedArgs("0xc000010000, {0x1, 0x2}, 0x72");
    mergeArgs(m, "0xc000020000, {0x1, 0x3}, 0x72");
    expect([...m.differ].sort()).toEqual([0, 2]);
    expect(showArgs(m, new Map())).toBe("*, {0x1, *}, 0x72");
    mergeArgs(m, "0xc000020000, {0x1}, 0x72");
    expect(m.all).toBe(true);
    expect(showArgs(m, new Map())).toBe("*");
  });
  it("names shared values where they are constant", () => {
    const m = newMergedArgs("0xc000010000, 0x4");
    expect(showArgs(m, new Map([["0xc000010000", "#1"]]))).toBe("#1, 0x4");
  });
});
