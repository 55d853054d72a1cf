// Tests for reading spawn-graph's tree and leaks' findings: shape variations, exact membership, and refusing to guess.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { Goroutine } from "@gosleuth/model";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeView, packageFindings, packageTree, reconcile } from "./adapters.ts";
import { buildDataset } from "./engine.ts";
import { interimTree } from "./interim-tree.ts";

let goroutines: readonly Goroutine[] = [];
beforeAll(async () => {
  const text = readFileSync(fixture("generated/servers/caddy-2.11-t0-debug2.txt"), "utf8");
  const built = await buildDataset(new Blob([text]).stream());
  goroutines = built!.dataset.goroutines;
});

/** The interim tree re-dressed in issue 4's documented JSON shape, with other ids and order. */
function documented(gs: readonly Goroutine[]) {
  const t = interimTree(gs);
  const rename = (id: string) => `agg-${id.slice(1).padStart(4, "0")}`;
  return [...t.nodes].reverse().map((n) => ({
    id: rename(n.id),
    parent: n.parent === null ? null : rename(n.parent),
    count: n.count,
    function: n.function,
    creator: n.creator ? { function: n.creator.split(" ")[0], file: "x.go", line: 1 } : null,
    state: n.state,
    stateClass: n.stateClass,
    states: Object.entries(n.states).map(([state, count]) => ({ state, count })),
    waitMinutes: { min: n.waitMin, max: n.waitMax },
    sampleIds: n.sampleIds,
    depth: n.depth,
    ghost: n.ghost || undefined,
    orphan: n.orphan || undefined,
    signature: "opaque",
  }));
}

describe("packageTree", () => {
  it("reads the documented shape and matches every goroutine to its node", () => {
    const { tree, problem } = packageTree(
      { buildAggregateTree: (gs: readonly Goroutine[]) => ({ nodes: documented(gs) }) },
      goroutines,
    );
    expect(problem).toBeNull();
    expect(tree).not.toBeNull();
    const own = interimTree(goroutines);
    // Same membership as the grouping it was made from, whatever the ids and order.
    for (let i = 0; i < goroutines.length; i++) {
      expect(tree!.nodes[tree!.nodeOf[i]!]!.id).toBe(
        `agg-${own.nodes[own.nodeOf[i]!]!.id.slice(1).padStart(4, "0")}`,
      );
    }
    const n = tree!.nodes.find((x) => x.creator !== "")!;
    expect(n.creator).toMatch(/ x\.go:1$/);
    expect(Object.values(n.states).reduce((a, b) => a + b, 0)).toBe(n.count);
  });

  it("accepts a builder class and a bare array", () => {
    class AggregateTreeBuilder {
      private gs: Goroutine[] = [];
      add(g: Goroutine) {
        this.gs.push(g);
      }
      finish() {
        return documented(this.gs);
      }
    }
    expect(packageTree({ AggregateTreeBuilder }, goroutines).tree).not.toBeNull();
  });

  it("refuses a tree whose counts do not add up, and says so", () => {
    const broken = (gs: readonly Goroutine[]) =>
      documented(gs).map((n, i) => (i === 0 ? { ...n, count: n.count + 1 } : n));
    const { tree, problem } = packageTree({ buildAggregateTree: broken }, goroutines);
    expect(tree).toBeNull();
    expect(problem).toMatch(/could not match every goroutine/);
  });

  it("reports a builder that throws and is silent when there is no builder", () => {
    const { problem } = packageTree(
      {
        buildAggregateTree: () => {
          throw new Error("boom");
        },
      },
      goroutines,
    );
    expect(problem).toBe("@gosleuth/spawn-graph failed: boom");
    expect(packageTree({}, goroutines)).toEqual({ tree: null, problem: null });
  });

  it("reconcile needs sample ids to place goroutines", () => {
    const nodes = documented(goroutines).map((n) => nodeView({ ...n, sampleIds: [] }));
    expect(reconcile(nodes, goroutines)).toBeNull();
  });
});

describe("packageFindings", () => {
  it("maps severities, reasons and ids from loose shapes", () => {
    const { findings } = packageFindings(
      {
        analyzeLeaks: () => ({
          findings: [
            {
              severity: "HIGH",
              title: "300 writeLoop blocked",
              reasons: [{ text: "blocked 30 min" }],
              sampleIds: [374, 375],
              count: 300,
            },
            { severity: "warning", message: "m", reasons: ["r"], goroutineIds: [1] },
          ],
        }),
      },
      { goroutines, groups: [] } as never,
    );
    expect(findings).toEqual([
      {
        id: "finding-1",
        severity: "high",
        title: "300 writeLoop blocked",
        reasons: ["blocked 30 min"],
        goroutineIds: [374, 375],
        count: 300,
      },
      { id: "finding-2", severity: "medium", title: "m", reasons: ["r"], goroutineIds: [1], count: 1 },
    ]);
  });

  it("turns a failing analysis into a note, not a crash", () => {
    const r = packageFindings(
      {
        analyzeLeaks: () => {
          throw new Error("bad settings");
        },
      },
      {} as never,
    );
    expect(r).toEqual({ findings: [], problem: "@gosleuth/leaks failed: bad settings" });
  });
});
