// Tests for folding a huge aggregated tree into a drawable one without losing a goroutine.
import { describe, expect, it } from "vitest";
import { capTree, REST_PREFIX } from "./fold-tree.ts";
import type { TreeNodeView } from "./protocol.ts";

function node(id: string, parent: string | null, count: number): TreeNodeView {
  return {
    id,
    parent,
    count,
    function: `main.${id}`,
    creator: "",
    state: "chan receive",
    stateClass: "chan-receive",
    states: { "chan receive": count },
    waitMin: 0,
    waitMax: count,
    sampleIds: [count],
    depth: 0,
    ghost: false,
    orphan: false,
  };
}

/** main → 3 servers; server s0 has 1,000 small leaf kinds, s1 one huge kind, s2 nothing. */
const tree: TreeNodeView[] = [
  node("main", null, 1),
  node("s0", "main", 1),
  node("s1", "main", 1),
  node("s2", "main", 1),
];
for (let i = 0; i < 1000; i++) tree.push(node(`leaf${i}`, "s0", 1 + (i % 3)));
tree.push(node("huge", "s1", 50_000));
const total = tree.reduce((s, n) => s + n.count, 0);

describe("capTree", () => {
  it("returns small trees untouched", () => {
    const small = tree.slice(0, 4);
    expect(capTree(small, 10).nodes).toBe(small);
  });

  it("keeps the biggest subtrees with their ancestors and folds the rest, losing no goroutine", () => {
    const c = capTree(tree, 50);
    const ids = new Set(c.nodes.map((n) => n.id));
    expect(c.nodes.length).toBeLessThanOrEqual(50 + 10);
    for (const id of ["main", "s0", "s1", "huge"]) expect(ids.has(id)).toBe(true);
    for (const n of c.nodes) if (n.parent !== null) expect(ids.has(n.parent)).toBe(true);
    expect(c.nodes.reduce((s, n) => s + n.count, 0)).toBe(total);
    const rest = c.nodes.find((n) => n.id === `${REST_PREFIX}s0`)!;
    expect(rest.parent).toBe("s0");
    expect(rest.function).toBe(`${c.folded.get(rest.id)!.length.toLocaleString("en-US")} more nodes`);
    for (const n of tree) expect(ids.has(n.id) || c.foldedInto.has(n.id)).toBe(true);
    expect(c.foldedInto.get("leaf999")).toBe(ids.has("leaf999") ? undefined : rest.id);
  });

  it("draws every child of an unfolded parent", () => {
    const c = capTree(tree, 50, new Set(["s0"]));
    const ids = new Set(c.nodes.map((n) => n.id));
    for (let i = 0; i < 1000; i++) expect(ids.has(`leaf${i}`)).toBe(true);
    expect(ids.has(`${REST_PREFIX}s0`)).toBe(false);
    expect(c.nodes.reduce((s, n) => s + n.count, 0)).toBe(total);
  });

  it("is deterministic", () => {
    expect(
      capTree([...tree].reverse(), 50)
        .nodes.map((n) => n.id)
        .sort(),
    ).toEqual(
      capTree(tree, 50)
        .nodes.map((n) => n.id)
        .sort(),
    );
  });
});
