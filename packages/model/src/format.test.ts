import { describe, expect, it } from "vitest";
import { formatCount } from "./index.ts";

describe("formatCount", () => {
  it("prints what toLocaleString('en-US') prints", () => {
    const values = [
      0,
      7,
      -7,
      999,
      1000,
      -1000,
      12_345,
      999_999,
      1_000_000,
      216_017,
      -2_160_170,
      2 ** 53 - 1,
      1.5,
      -0.25,
      1e21,
    ];
    for (let i = 0; i < 2000; i++) values.push(Math.floor((i * 7919) ** 1.7), -Math.floor(i ** 2.9));
    for (const v of values) expect(formatCount(v)).toBe(v.toLocaleString("en-US"));
  });
});
