// The tree builder says which node holds each goroutine: checked against each goroutine's own signature,
// creator site and parent on real dumps (spawnfarm for every Go version, Caddy, leakybank).
import { readFileSync } from "node:fs";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { buildAggregateTree, nodeGroupKey } from "./aggregate.ts";
import { goroutineSignature, groupKey } from "./signature.ts";

const files = [
  ...listFixtures("generated/go-versions").filter((f) => f.includes("spawnfarm-stack")),
  "generated/servers/caddy-2.11-t0-debug2.txt",
  "labeled/leakybank/leakybank-t0320s-debug2.txt",
];

describe.each(files)("nodeOf on %s", (rel) => {
  const dump = parseDump(readFileSync(fixture(rel), "utf8"));
  const gs = dump.goroutines;
  const tree = buildAggregateTree(gs);

  it("puts every goroutine in exactly one non-ghost node, as many as the node counts", () => {
    expect(tree.nodeOf).toHaveLength(gs.length);
    const counts = new Map<number, number>();
    for (const ni of tree.nodeOf) {
      expect(ni).toBeGreaterThanOrEqual(0);
      expect(tree.nodes[ni]!.ghost).not.toBe(true);
      counts.set(ni, (counts.get(ni) ?? 0) + 1);
    }
    tree.nodes.forEach((n, i) => {
      if (!n.ghost) expect(counts.get(i), n.id).toBe(n.count);
    });
  });

  it("a goroutine's node has its signature and creator site, and hangs under its parent's node", () => {
    const pos = new Map(gs.map((g, i) => [g.id, i]));
    gs.forEach((g, i) => {
      const node = tree.nodes[tree.nodeOf[i]!]!;
      const c = g.createdBy;
      expect(nodeGroupKey(node)).toBe(
        groupKey(goroutineSignature(g), c ? { function: c.fn.full, file: c.file, line: c.line } : null),
      );
      const p = c?.parentId === undefined ? undefined : pos.get(c.parentId);
      if (p !== undefined) expect(node.parent).toBe(tree.nodes[tree.nodeOf[p]!]!.id);
    });
  });
});

describe("a node's state", () => {
  it("is the most common raw state of its own goroutines, first seen among equals, node after node", () => {
    // Three kinds of goroutine with the same two raw states of one class (RLock and Lock are both
    // rwmutex): the counts of one node must not leak into the next (makeNode counts raw states in one
    // array for every node).
    const g = (id: number, fn: string, state: string) =>
      `goroutine ${id} [${state}]:\nmain.${fn}()\n\t/app/main.go:9 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:5 +0x1\n`;
    const text = [
      "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:3 +0x1\n",
      g(10, "a", "sync.RWMutex.RLock"),
      g(11, "a", "sync.RWMutex.Lock"),
      g(12, "a", "sync.RWMutex.Lock"),
      g(13, "b", "sync.RWMutex.RLock"),
      g(14, "b", "sync.RWMutex.Lock"),
      g(15, "c", "sync.RWMutex.Lock"),
      g(16, "c", "sync.RWMutex.RLock"),
      g(17, "c", "sync.RWMutex.RLock"),
    ].join("\n");
    const tree = buildAggregateTree(parseDump(text).goroutines);
    const stateOf = (fn: string) => tree.nodes.find((n) => n.function === `main.${fn}`)!.state;
    expect([stateOf("a"), stateOf("b"), stateOf("c")]).toEqual([
      "sync.RWMutex.Lock",
      "sync.RWMutex.RLock",
      "sync.RWMutex.RLock",
    ]);
  });
});
