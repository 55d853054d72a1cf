// The per-goroutine spawn graph: a graphology DirectedGraph with an edge from parent to child.
import type { Goroutine, StateClass } from "@gosleuth/model";
import { DirectedGraph } from "graphology";
import { baseFunction } from "./aggregate.ts";
import { startFunction } from "./signature.ts";

export type SpawnNode =
  | {
      kind: "goroutine";
      id: number;
      state: string;
      stateClass: StateClass;
      waitMinutes: number;
      start: string;
      goroutine: Goroutine;
    }
  | { kind: "ghost"; id: number; creatorFunction: string; creatorFile: string; creatorLine: number }
  | { kind: "site"; function: string; file: string; line: number };

export type SpawnGraph = DirectedGraph<SpawnNode>;

/** The node key of a goroutine: its id as a string (exact text for ids beyond 2^53). */
export function goroutineKey(g: Pick<Goroutine, "id" | "idText">): string {
  return g.idText ?? String(g.id);
}

/**
 * Builds the graph incrementally (children may arrive before their parents); `finish` adds the edges.
 * Rules:
 * - `created by F in goroutine N`: edge N → child; when N is not in the dump (it exited), a ghost node
 *   `ghost:N` carries what the children say about it (the creating function and site).
 * - `created by F` without a parent id (Go before 1.21): a site node `site:F FILE:LINE` per creation
 *   site, with an edge site → child; the site hangs under the one goroutine whose start function is F
 *   when there is exactly one (goroutine 1 for main.main), else under the site node that created the
 *   goroutines running F when they all share one, else it is a root.
 * - goroutines without `created by` (main, runtime roots) are roots.
 */
export class SpawnGraphBuilder {
  private readonly goroutines: Goroutine[] = [];

  add(g: Goroutine): void {
    this.goroutines.push(g);
  }

  finish(): SpawnGraph {
    const graph: SpawnGraph = new DirectedGraph<SpawnNode>();
    for (const g of this.goroutines) {
      graph.mergeNode(goroutineKey(g), {
        kind: "goroutine",
        id: g.id,
        state: g.state,
        stateClass: g.stateClass,
        waitMinutes: g.waitMinutes,
        start: startFunction(g),
        goroutine: g,
      });
    }
    // Who runs which function: only needed for the creator-site fallback (dumps without parent ids).
    let runnersCache: Map<string, Goroutine[]> | undefined;
    const runners = (): Map<string, Goroutine[]> => {
      if (runnersCache) return runnersCache;
      runnersCache = new Map();
      const base = new Map<string, string>();
      for (const g of this.goroutines) {
        // A goroutine "runs" every function on its stack (modulo closure/wrapper suffixes).
        const seen = new Set<string>();
        for (const fr of g.frames) {
          let b = base.get(fr.fn.full);
          if (b === undefined) base.set(fr.fn.full, (b = baseFunction(fr.fn.full)));
          if (seen.has(b)) continue;
          seen.add(b);
          let l = runnersCache.get(b);
          if (!l) runnersCache.set(b, (l = []));
          l.push(g);
        }
      }
      return runnersCache;
    };
    const siteOfChild = new Map<string, string>();
    for (const g of this.goroutines) {
      const c = g.createdBy;
      if (!c) continue;
      const key = goroutineKey(g);
      if (c.parentId !== undefined) {
        let parent = String(c.parentId);
        if (!graph.hasNode(parent)) {
          parent = `ghost:${c.parentId}`;
          graph.mergeNode(parent, {
            kind: "ghost",
            id: c.parentId,
            creatorFunction: c.fn.full,
            creatorFile: c.file,
            creatorLine: c.line,
          });
        }
        graph.mergeEdge(parent, key);
      } else {
        const site = `site:${c.fn.full} ${c.file}:${c.line}`;
        graph.mergeNode(site, { kind: "site", function: c.fn.full, file: c.file, line: c.line });
        graph.mergeEdge(site, key);
        siteOfChild.set(key, site);
      }
    }
    // Hang each site node under whoever runs its creating function.
    graph.forEachNode((site, attrs) => {
      if (attrs.kind !== "site") return;
      const run = runners().get(baseFunction(attrs.function)) ?? [];
      if (run.length === 1) {
        graph.mergeEdge(goroutineKey(run[0]!), site);
        return;
      }
      const parentSites = new Set(
        run.map((g) => siteOfChild.get(goroutineKey(g))).filter((s) => s !== undefined),
      );
      if (parentSites.size === 1) {
        const [p] = parentSites;
        if (p !== site) graph.mergeEdge(p!, site);
      }
    });
    return graph;
  }
}

export function buildSpawnGraph(goroutines: Iterable<Goroutine>): SpawnGraph {
  const b = new SpawnGraphBuilder();
  for (const g of goroutines) b.add(g);
  return b.finish();
}
