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
