// When the parsing threads' heap growth is bounded: a pure decision from the input's size and node's flags.
import { describe, expect, it } from "vitest";
import { BIG_INPUT_BYTES, heapGrowthFlag, YOUNG_GROWTH_BYTES, youngGrowthFlag } from "./heap.ts";

const MB = 1024 * 1024;

describe("heapGrowthFlag", () => {
  it("bounds growth from BIG_INPUT_BYTES on, and not below", () => {
    expect(heapGrowthFlag(BIG_INPUT_BYTES, [])).toBe("--heap-growing-percent=100");
    expect(heapGrowthFlag(1500 * MB, [])).toBe("--heap-growing-percent=100");
    expect(heapGrowthFlag(BIG_INPUT_BYTES - 1, [])).toBeNull();
    expect(heapGrowthFlag(0, [])).toBeNull();
  });

  it("bounds the sizes whose unbounded peak came near 300 MB (the 216k unique-arguments dump and its 128 MB head)", () => {
    expect(heapGrowthFlag(191_338_427, [])).not.toBeNull();
    expect(heapGrowthFlag(134_214_912, [])).not.toBeNull();
    expect(heapGrowthFlag(157_568_983, [])).not.toBeNull();
  });

  it("leaves a --heap-growing-percent given to node alone, in its arguments or NODE_OPTIONS", () => {
    expect(heapGrowthFlag(1500 * MB, ["--heap-growing-percent=50"])).toBeNull();
    expect(heapGrowthFlag(1500 * MB, ["--max-old-space-size=512 --heap-growing-percent=300"])).toBeNull();
    expect(heapGrowthFlag(1500 * MB, ["--max-old-space-size=512", ""])).toBe("--heap-growing-percent=100");
  });

  it("never bounds a size that is not a number", () => {
    expect(heapGrowthFlag(Number.NaN, [])).toBeNull();
  });
});

describe("youngGrowthFlag", () => {
  it("grows the young generation at once from YOUNG_GROWTH_BYTES on, and not below", () => {
    expect(youngGrowthFlag(YOUNG_GROWTH_BYTES, [])).toBe("--semi-space-growth-factor=16");
    expect(youngGrowthFlag(157_568_983, [])).toBe("--semi-space-growth-factor=16");
    expect(youngGrowthFlag(YOUNG_GROWTH_BYTES - 1, [])).toBeNull();
    expect(youngGrowthFlag(Number.NaN, [])).toBeNull();
  });

  it("leaves a --semi-space-growth-factor given to node alone", () => {
    expect(youngGrowthFlag(1500 * MB, ["--semi-space-growth-factor=4"])).toBeNull();
    expect(
      youngGrowthFlag(1500 * MB, ["", "--max-old-space-size=512 --semi-space-growth-factor=2"]),
    ).toBeNull();
  });
});
