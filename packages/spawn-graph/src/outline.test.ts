// Small scenarios written as outlines (synthetic dumps from @gosleuth/fixtures' builder).
import { dumpFromOutline } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { buildAggregateTree } from "./aggregate.ts";
import { buildSpawnGraph } from "./graph.ts";
import { descendants, orphans, roots } from "./queries.ts";
import { renderTreeDot, renderTreeText, treeToJson } from "./render.ts";

const OUTLINE = `
1 main.main running
  7 main.serve chan-receive 30m
    20 main.handle select 3m
    21 main.handle select 5m
    22 main.handle select 4m
      30 main.fetch chan-send 2m
  ~9 main.gone running
    40 main.orphanWorker chan-receive 12m
    41 main.orphanWorker chan-receive 12m
`;

describe("spawn graph (synthetic outline)", () => {
  const dump = parseDump(dumpFromOutline(OUTLINE));
  it("edges from parent ids, ghosts for exited parents", () => {
    const g = buildSpawnGraph(dump.goroutines);
    expect(g.outNeighbors("7").sort()).toEqual(["20", "21", "22"]);
    expect(g.hasNode("ghost:9")).toBe(true);
    expect(g.getNodeAttributes("ghost:9")).toMatchObject({ kind: "ghost", creatorFunction: "main.gone" });
    expect(orphans(g).sort()).toEqual(["40", "41"]);
    expect(roots(g).sort()).toEqual(["1", "ghost:9"]);
    expect(descendants(g, "7").sort()).toEqual(["20", "21", "22", "30"]);
  });
  it("aggregates identical siblings and pools their children", () => {
    const tree = buildAggregateTree(dump.goroutines);
    const handle = tree.nodes.find((n) => n.function === "main.handle")!;
    expect(handle).toMatchObject({ count: 3, waitMinutes: { min: 3, max: 5 }, stateClass: "select" });
    expect(handle.sampleIds).toEqual([20, 21, 22]);
    const fetch = tree.nodes.find((n) => n.function === "main.fetch")!;
    expect(fetch.parent).toBe(handle.id);
    const ghost = tree.nodes.find((n) => n.ghost)!;
    const orphanGroup = tree.nodes.find((n) => n.function === "main.orphanWorker")!;
    expect(orphanGroup).toMatchObject({ parent: ghost.id, count: 2, orphan: true });
    expect(tree.total).toBe(8);
    const text = renderTreeText(tree);
    expect(text).toContain("3 main.handle  select  [3–5 min]");
    expect(text).toContain("(exited) main.gone  1 parent gone");
    expect(renderTreeDot(tree)).toMatch(/^digraph spawn/);
    expect(treeToJson(tree).nodes).toHaveLength(tree.nodes.length);
  });
});
