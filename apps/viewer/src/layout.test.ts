// Unit tests for the tidy and radial spawn-tree layouts.
import { describe, expect, it } from "vitest";
import { type LayoutInput, levelRoom, treeLayout } from "./layout.ts";

const sample: LayoutInput[] = [
  { id: "main", parent: null, weight: 1 },
  { id: "serve", parent: "main", weight: 4 },
  { id: "conn", parent: "serve", weight: 3000 },
  { id: "read", parent: "conn", weight: 3000 },
  { id: "write", parent: "conn", weight: 2000 },
  { id: "gc", parent: null, weight: 4 },
  { id: "orphan", parent: "ghost:9", weight: 2 },
];

describe("treeLayout tree", () => {
  it("places every node, parents left of children, one column per depth", () => {
    const pos = treeLayout(sample, "tree");
    expect([...pos.keys()].sort()).toEqual(sample.map((n) => n.id).sort());
    const x = (id: string) => pos.get(id)!.x;
    expect(x("main")).toBeLessThan(x("serve"));
    expect(x("serve")).toBeLessThan(x("conn"));
    expect(x("read")).toBe(x("write"));
    // A node whose parent is absent is a root, in the roots' column.
    expect(x("orphan")).toBe(x("main"));
    expect(x("gc")).toBe(x("main"));
  });

  it("never puts two nodes on the same spot", () => {
    const many: LayoutInput[] = [{ id: "r", parent: null }];
    for (let i = 0; i < 300; i++) many.push({ id: `c${i}`, parent: `r`, weight: i % 7 });
    for (let i = 0; i < 300; i++) many.push({ id: `g${i}`, parent: `c${i % 30}` });
    const pos = treeLayout(many, "tree");
    const seen = new Set([...pos.values()].map((p) => `${p.x.toFixed(6)},${p.y.toFixed(6)}`));
    expect(seen.size).toBe(many.length);
  });

  it("does not depend on input order", () => {
    const a = treeLayout(sample, "tree");
    const b = treeLayout([...sample].reverse(), "tree");
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
  });

  it("orders siblings by weight, heaviest first (on top)", () => {
    const pos = treeLayout(sample, "tree");
    expect(pos.get("read")!.y).toBeGreaterThan(pos.get("write")!.y);
    // Neighbouring siblings are one unit apart, so their labels never share a line.
    expect(pos.get("read")!.y - pos.get("write")!.y).toBe(1);
  });

  it("survives a cycle by cutting it", () => {
    const pos = treeLayout(
      [
        { id: "a", parent: "b" },
        { id: "b", parent: "a" },
      ],
      "tree",
    );
    expect(pos.size).toBe(2);
    for (const p of pos.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });

  it("returns nothing for nothing", () => {
    expect(treeLayout([], "tree").size).toBe(0);
  });
});

describe("treeLayout radial", () => {
  it("puts a single root at the centre and deeper nodes further out", () => {
    const single = sample.filter((n) => n.id !== "gc" && n.id !== "orphan");
    const pos = treeLayout(single, "radial");
    const r = (id: string) => Math.hypot(pos.get(id)!.x, pos.get(id)!.y);
    expect(r("main")).toBe(0);
    expect(r("serve")).toBeLessThan(r("conn"));
    expect(r("conn")).toBeLessThan(r("read"));
    expect(r("read")).toBeCloseTo(r("write"), 9);
  });

  it("spreads a thousand siblings around the circle without collisions", () => {
    const many: LayoutInput[] = [{ id: "r", parent: null }];
    for (let i = 0; i < 1000; i++) many.push({ id: `c${i}`, parent: "r" });
    const pos = treeLayout(many, "radial");
    const pts = many.slice(1).map((n) => pos.get(n.id)!);
    let minGap = Number.POSITIVE_INFINITY;
    const angles = pts.map((p) => Math.atan2(p.y, p.x)).sort((a, b) => a - b);
    for (let i = 1; i < angles.length; i++) minGap = Math.min(minGap, angles[i]! - angles[i - 1]!);
    expect(minGap).toBeGreaterThan(0);
    const radius = Math.hypot(pts[0]!.x, pts[0]!.y);
    // Neighbours sit at least ~0.5 units apart on the ring, so nodes of the smallest size do not overlap.
    expect(minGap * radius).toBeGreaterThan(0.5);
  });
});

describe("levelRoom", () => {
  it("gives each node the gap to its nearest neighbour in its column, none to a lone node", () => {
    const pos = treeLayout(sample, "tree");
    const room = levelRoom(pos, "tree");
    expect(room.get("read")).toBe(1);
    expect(room.get("write")).toBe(1);
    expect(room.has("conn")).toBe(false);
  });

  it("measures along the ring in the radial layout, wrapping around", () => {
    const ring = new Map([
      ["a", { x: 10, y: 0 }],
      ["b", { x: 0, y: 10 }],
      ["c", { x: -10, y: 0 }],
    ]);
    const room = levelRoom(ring, "radial");
    expect(room.get("a")).toBeCloseTo((Math.PI / 2) * 10, 9);
    expect(room.get("c")).toBeCloseTo((Math.PI / 2) * 10, 9);
  });
});
