// Questions asked of the per-goroutine spawn graph: roots, ancestry, descendants, orphans.
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

/** Goroutines whose parent exited (children of ghost nodes). */
export function orphans(graph: SpawnGraph): string[] {
  const out: string[] = [];
  graph.forEachNode((n, a) => {
    // One by one: an exited parent of 100,000 goroutines or more overflowed `push(...children)`.
    if (a.kind === "ghost") for (const c of graph.outNeighbors(n)) out.push(c);
  });
  return out;
}
