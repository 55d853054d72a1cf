// Questions asked of the per-goroutine spawn graph: roots, ancestry, descendants, subtree stats, orphans, churn.
import type { Goroutine, StateClass } from "@gosleuth/model";
import type { SpawnGraph } from "./graph.ts";

/** Nodes without a parent (goroutine roots, ghosts, unattached sites). */
export function roots(graph: SpawnGraph): string[] {
  return graph.filterNodes((n) => graph.inDegree(n) === 0);
}

/** The path from a node up to its root: [node, parent, grandparent, ...]. */
export function ancestors(graph: SpawnGraph, id: string): string[] {
  const path = [id];
  const seen = new Set(path);
  let cur = id;
  for (;;) {
    const parents = graph.inNeighbors(cur);
    const p = parents[0];
    if (p === undefined || seen.has(p)) return path;
    path.push(p);
    seen.add(p);
    cur = p;
  }
}

/** Every node below `id` (breadth first, `id` excluded). */
export function descendants(graph: SpawnGraph, id: string): string[] {
  const out: string[] = [];
  const seen = new Set([id]);
  const queue = [id];
  for (let q = 0; q < queue.length; q++) {
    for (const c of graph.outNeighbors(queue[q]!)) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export interface SubtreeStats {
  /** Goroutines in the subtree, the root included when it is a goroutine. */
  count: number;
  states: Partial<Record<StateClass, number>>;
  maxWait: number;
  /** Levels below the root (0 for a leaf). */
  depth: number;
}

export function subtreeStats(graph: SpawnGraph, id: string): SubtreeStats {
  const stats: SubtreeStats = { count: 0, states: {}, maxWait: 0, depth: 0 };
  const seen = new Set([id]);
  let level: string[] = [id];
  let depth = 0;
  while (level.length > 0) {
    const next: string[] = [];
    for (const n of level) {
      const a = graph.getNodeAttributes(n);
      if (a.kind === "goroutine") {
        stats.count++;
        stats.states[a.stateClass] = (stats.states[a.stateClass] ?? 0) + 1;
        if (a.waitMinutes > stats.maxWait) stats.maxWait = a.waitMinutes;
      }
      for (const c of graph.outNeighbors(n)) {
        if (!seen.has(c)) {
          seen.add(c);
          next.push(c);
        }
      }
    }
    if (next.length > 0) depth++;
    level = next;
  }
  stats.depth = depth;
  return stats;
}

/** Goroutines whose parent exited (children of ghost nodes). */
export function orphans(graph: SpawnGraph): string[] {
  const out: string[] = [];
  graph.forEachNode((n, a) => {
    if (a.kind === "ghost") out.push(...graph.outNeighbors(n));
  });
  return out;
}

/** Creation sites (`function file:line`) ranked by the number of goroutines below the goroutines they created. */
export function topSpawningSites(
  graph: SpawnGraph,
  n = 10,
): { site: string; children: number; descendants: number }[] {
  const below = new Map<string, number>();
  // Post-order subtree sizes without recursion.
  const order: string[] = [];
  const seen = new Set<string>();
  for (const r of roots(graph)) {
    const stack = [r];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      order.push(x);
      for (const c of graph.outNeighbors(x)) stack.push(c);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const x = order[i]!;
    let s = 0;
    for (const c of graph.outNeighbors(x)) s += 1 + (below.get(c) ?? 0);
    below.set(x, s);
  }
  const sites = new Map<string, { children: number; descendants: number }>();
  graph.forEachNode((node, a) => {
    if (a.kind !== "goroutine" || !a.goroutine.createdBy) return;
    const c = a.goroutine.createdBy;
    const key = `${c.fn.full} ${c.file}:${c.line}`;
    const e = sites.get(key) ?? { children: 0, descendants: 0 };
    e.children++;
    e.descendants += 1 + (below.get(node) ?? 0);
    sites.set(key, e);
  });
  return [...sites]
    .map(([site, v]) => ({ site, ...v }))
    .sort((a, b) => b.descendants - a.descendants)
    .slice(0, n);
}

export interface Churn {
  live: number;
  maxId: number;
  /** Goroutines created and already finished, read from the ids (a lower bound). */
  createdAndFinished: number;
  /** Goroutines in the newest tenth of ids whose parent is in the oldest tenth: fresh connections of long-lived servers. */
  youngUnderOldParent: number;
  /** Goroutines in the newest tenth of ids whose parent is also young: sub-tasks of recent requests. */
  youngUnderYoungParent: number;
  explanation: string;
}

/** What goroutine ids say about how many goroutines came and went. */
export function churn(goroutines: Iterable<Goroutine>): Churn {
  let live = 0;
  let maxId = 0;
  const list: { id: number; parent?: number }[] = [];
  for (const g of goroutines) {
    live++;
    if (g.id > maxId) maxId = g.id;
    list.push({ id: g.id, parent: g.createdBy?.parentId });
  }
  const young = maxId * 0.9;
  const old = maxId * 0.1;
  let youngUnderOldParent = 0;
  let youngUnderYoungParent = 0;
  for (const x of list) {
    if (x.id < young || x.parent === undefined) continue;
    if (x.parent <= old) youngUnderOldParent++;
    else if (x.parent >= young) youngUnderYoungParent++;
  }
  return {
    live,
    maxId,
    createdAndFinished: Math.max(0, maxId - live),
    youngUnderOldParent,
    youngUnderYoungParent,
    explanation:
      "Goroutine ids are handed out in increasing order, so the highest id minus the live count is a lower bound on the goroutines created and finished. A young goroutine (high id) under an old, low-numbered parent is typically a fresh connection of a long-lived server; under a young parent it is a sub-task of a recent request.",
  };
}
