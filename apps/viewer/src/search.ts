// The filter bar and the search box: which goroutines, list rows and tree nodes a query matches.
import { compileFilter, parseFilter } from "@gosleuth/query";
import type { TreeResult } from "./dataset.ts";
import type { GoroutineStore } from "./goroutine-store.ts";
import type { FilterResult, SearchHit } from "./protocol.ts";

/** How many goroutines of each tree node and each list row match a filter query. */
export function filterGoroutines(
  store: GoroutineStore,
  tree: TreeResult | null,
  query: string,
): FilterResult {
  const f = compileFilter(parseFilter(query));
  const nodes = tree?.nodes ?? [];
  const nodeOf = tree?.nodeOf;
  const nodeMatched = new Float64Array(nodes.length);
  const groupMatched = new Array<number>(store.groups.length).fill(0);
  for (let pos = 0; pos < store.size; pos++) {
    if (f.goroutine !== null && !f.goroutine(store.subject(pos))) continue;
    groupMatched[store.groupAt(pos).index]!++;
    const ni = nodeOf ? nodeOf[pos]! : -1;
    if (ni >= 0) nodeMatched[ni]!++;
  }
  let profileMatched = 0;
  for (const g of store.groups) {
    if (g.sample !== null) continue;
    // A profile group stands for `count` goroutines that share everything the filter can see.
    if (f.goroutine === null || f.goroutine(store.profileSubject(g))) groupMatched[g.index] = g.count;
  }
  const out: Record<string, number> = {};
  let matched = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    // Ghosts have no goroutines of their own; node-level terms (is:ghost) can still select them.
    const m = n.ghost && f.goroutine === null ? 1 : nodeMatched[i]!;
    if (m <= 0) continue;
    if (
      f.node !== null &&
      !f.node({ count: n.count, severity: n.severity, ghost: n.ghost, orphan: n.orphan })
    )
      continue;
    out[n.id] = m;
    if (!n.ghost) matched += m;
  }
  if (f.node !== null) {
    for (const g of store.groups) {
      const pos = g.sample ? store.positionOf(g.sample.id) : undefined;
      const ni = pos !== undefined && nodeOf ? nodeOf[pos]! : -1;
      const orphan = ni >= 0 ? nodes[ni]!.orphan : false;
      if (!f.node({ count: g.count, severity: g.severity, ghost: false, orphan })) groupMatched[g.index] = 0;
    }
  }
  for (const g of store.groups) if (g.sample === null) profileMatched += groupMatched[g.index] ?? 0;
  return { nodes: out, groups: groupMatched, matched: matched + profileMatched };
}

/** Tree nodes a search box text finds: a goroutine id, else the filter query, best first. */
export function searchNodes(
  store: GoroutineStore,
  tree: TreeResult | null,
  text: string,
  limit: number,
): SearchHit[] {
  const t = text.trim().replace(/^#/, "");
  const nodes = tree?.nodes ?? [];
  if (/^\d+$/.test(t)) {
    const pos = store.positionOf(Number(t));
    if (pos !== undefined && tree) {
      const ni = tree.nodeOf[pos]!;
      if (ni >= 0) return [{ nodeId: nodes[ni]!.id, matched: 1, goroutineId: Number(t) }];
    }
  }
  const r = filterGoroutines(store, tree, t);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const needle = parseFilter(t)
    .terms.filter((x) => x.key === "text")
    .map((x) => x.values[0]!)
    .join(" ");
  // Nodes started by a matching function come first (that is what a user searching a name
  // means), then nodes whose stacks merely pass through it, each by matched count.
  const own = (id: string) => (needle && byId.get(id)?.function.toLowerCase().includes(needle) ? 1 : 0);
  return Object.entries(r.nodes)
    .filter(([id]) => !byId.get(id)?.ghost || t.includes("ghost"))
    .sort((a, b) => own(b[0]) - own(a[0]) || b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([nodeId, matched]) => ({ nodeId, matched }));
}
