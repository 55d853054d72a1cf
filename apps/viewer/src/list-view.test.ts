// The virtual list's row lookup: which row is at a scroll offset, over rows of different heights.
import { describe, expect, it } from "vitest";
import { rowAt } from "./list-view.ts";

describe("rowAt", () => {
  const tops = Float64Array.from([0, 50, 80, 200, 210]); // four rows, the last ending at 210

  it("finds the row covering an offset, including exact boundaries", () => {
    expect(rowAt(tops, 4, 0)).toBe(0);
    expect(rowAt(tops, 4, 49.9)).toBe(0);
    expect(rowAt(tops, 4, 50)).toBe(1);
    expect(rowAt(tops, 4, 150)).toBe(2);
    expect(rowAt(tops, 4, 205)).toBe(3);
    expect(rowAt(tops, 4, 10_000)).toBe(3);
  });

  it("agrees with a linear scan on 100,000 rows", () => {
    const n = 100_000;
    const t = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) t[i + 1] = t[i]! + 24 + ((i * 7919) % 13) * 32;
    for (let k = 0; k < 500; k++) {
      const y = (k * 104_729) % t[n]!;
      let lin = 0;
      while (lin + 1 < n && t[lin + 1]! <= y) lin++;
      expect(rowAt(t, n, y)).toBe(lin);
    }
  });
});
