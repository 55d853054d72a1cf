// The layout worker's answer, decoded on the page, is the layout the page would compute itself: the
// same positions and level room, with the maps in the same order (the label measurement and the
// bounding box follow it).
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { buildAggregateTree } from "@gosleuth/spawn-graph";
import { describe, expect, it } from "vitest";
import { type LayoutInput, levelRoom, treeLayout } from "./layout.ts";
import { decodeLayout, layOut } from "./layout-transfer.ts";

const text = readFileSync(fixture("generated/servers/caddy-2.11-t0-debug2.txt"), "utf8");
const goroutines = parseDump(text).goroutines;
const tree = buildAggregateTree(goroutines);

/** The graph view's input after expanding the biggest node: the aggregated tree plus one node per member goroutine. */
function expandedInput(): LayoutInput[] {
  const input: LayoutInput[] = tree.nodes.map((n) => ({ id: n.id, parent: n.parent, weight: n.count }));
  const biggest = tree.nodes.reduce((a, b) => (b.count > a.count ? b : a));
  for (const g of goroutines.slice(0, biggest.count))
    input.push({ id: `g:${g.id}`, parent: biggest.id, weight: 1 });
  return input;
}

describe("layout worker transfer", () => {
  for (const kind of ["tree", "radial"] as const) {
    it(`gives the page's own ${kind} layout and level room, in the same order`, () => {
      const nodes = expandedInput();
      expect(nodes.length).toBeGreaterThan(tree.nodes.length);
      // The request and the reply cross a worker boundary by structured clone.
      const reply = structuredClone(layOut(structuredClone({ seq: 7, nodes, kind })));
      expect(reply.seq).toBe(7);
      const { pos, room } = decodeLayout(nodes, reply);
      const want = treeLayout(nodes, kind);
      expect([...pos.entries()]).toEqual([...want.entries()]);
      const wantRoom = levelRoom(want, kind);
      expect(room.size).toBe(wantRoom.size);
      for (const [id, r] of wantRoom) expect(room.get(id)).toBe(r);
    });
  }

  it("answers an empty request with an empty layout", () => {
    const { pos, room } = decodeLayout([], layOut({ seq: 1, nodes: [], kind: "tree" }));
    expect(pos.size).toBe(0);
    expect(room.size).toBe(0);
  });
});
