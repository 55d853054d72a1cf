// Small scenarios written as outlines (synthetic dumps from @gosleuth/fixtures' builder).
import { dumpFromOutline } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { buildAggregateTree } from "./aggregate.ts";
import { buildSpawnGraph } from "./graph.ts";
import { descendants, orphans, roots } from "./queries.ts";
import { OUTLINE_DEPTH, outlineCutNote, renderTreeDot, renderTreeText, treeToJson } from "./render.ts";

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

/** A spawn chain `n` goroutines deep: goroutine i + 1 started by goroutine i, all alike. */
function chain(n: number): string {
  let s = "";
  for (let i = 1; i <= n; i++) {
    s += `goroutine ${i} [chan receive]:\nmain.stage(0x${(i * 8).toString(16)})\n\t/src/main.go:12 +0x1d\n`;
    if (i > 1) s += `created by main.stage in goroutine ${i - 1}\n\t/src/main.go:20 +0x45\n`;
    s += "\n";
  }
  return s;
}

describe("the text outline of a deep spawn chain", () => {
  const tree = buildAggregateTree(parseDump(chain(5_000)).goroutines);

  it("is cut at OUTLINE_DEPTH levels with a note, instead of overflowing the stack", () => {
    const lines = renderTreeText(tree).trimEnd().split("\n");
    // The start, OUTLINE_DEPTH levels below it, the line for what is below the last, the note.
    expect(lines).toHaveLength(OUTLINE_DEPTH + 3);
    expect(lines[OUTLINE_DEPTH + 1]).toBe(`${"   ".repeat(OUTLINE_DEPTH)}└─ … 1 more group`);
    expect(lines[OUTLINE_DEPTH + 2]).toBe(outlineCutNote("group"));
  });

  it("prints every level asked for with --depth, and no note", () => {
    const lines = renderTreeText(tree, { depth: 4_999 }).trimEnd().split("\n");
    expect(lines).toHaveLength(5_000);
    expect(lines[4_999]).toBe(`${"   ".repeat(4_998)}└─ main.stage  chan receive`);
    expect(renderTreeText(tree, { depth: 10 })).not.toContain("cut at");
  });
});

describe("orphans of one exited parent", () => {
  it("lists 200,000 children of a ghost (they were pushed with `push(...children)`, which overflowed)", () => {
    let s = "";
    for (let i = 2; i < 200_002; i++)
      s += `goroutine ${i} [select]:\nmain.w()\n\t/w.go:3 +0x1\ncreated by main.spawn in goroutine 1\n\t/m.go:9 +0x2\n\n`;
    const g = buildSpawnGraph(parseDump(s).goroutines);
    expect(orphans(g)).toHaveLength(200_000);
  });
});
