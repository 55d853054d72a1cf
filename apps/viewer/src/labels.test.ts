// The label collision pass: boxes as sigma's drawer places them, and which labels a frame keeps.
import { describe, expect, it } from "vitest";
import { LabelPlacer, labelBox, overlaps } from "./labels.ts";

describe("LabelPlacer", () => {
  it("keeps the first of two labels that would overlap, and both when apart", () => {
    // Two sibling nodes 10 px apart with 14 px labels: their boxes meet.
    const a = labelBox(100, 100, 5, 80, 14);
    const b = labelBox(100, 110, 5, 80, 14);
    const c = labelBox(100, 130, 5, 80, 14);
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
    const p = new LabelPlacer();
    expect(p.place(a, false)).toBe(true);
    expect(p.place(b, false)).toBe(false);
    expect(p.place(c, false)).toBe(true);
    expect(p.boxes).toEqual([a, c]);
  });

  it("always places a forced label (the selection), and starts empty after a reset", () => {
    const p = new LabelPlacer();
    const a = labelBox(0, 0, 4, 50, 14);
    p.place(a, false);
    expect(p.place(a, true)).toBe(true);
    p.reset();
    expect(p.boxes).toEqual([]);
    expect(p.place(a, false)).toBe(true);
  });

  it("puts the box right of the node, around its centre line", () => {
    const box = labelBox(10, 50, 6, 40, 14);
    expect(box.x0).toBe(19);
    expect(box.x1).toBe(59);
    expect(box.y0).toBeLessThan(50);
    expect(box.y1).toBeGreaterThan(50);
  });
});
