// Keeps the drawn tree to a few thousand nodes: the biggest subtrees are drawn, the rest of each parent's children fold into one "+N more" node.
import type { TreeNodeView } from "./protocol.ts";

/** Prefix of the ids of fold nodes (`rest:<parent id>`, `rest:` for the top level). */
export const REST_PREFIX = "rest:";

export interface CappedTree {
  /** Nodes to draw: kept tree nodes plus fold nodes. */
  readonly nodes: readonly TreeNodeView[];
  /** For every tree node that is not drawn, the fold node that stands for it. */
  readonly foldedInto: ReadonlyMap<string, string>;
  /** For every fold node, the tree nodes it holds directly (the folded children, biggest first). */
  readonly folded: ReadonlyMap<string, readonly TreeNodeView[]>;
}

/** Max-heap on subtree size, ties on id for a stable result. */
class Heap {
  private readonly a: { id: string; w: number }[] = [];
  get size(): number {
    return this.a.length;
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i]!;
    const y = this.a[j]!;
    return x.w < y.w || (x.w === y.w && x.id > y.id);
  }
  push(id: string, w: number): void {
    this.a.push({ id, w });
    let i = this.a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(p, i)) break;
      [this.a[p], this.a[i]] = [this.a[i]!, this.a[p]!];
      i = p;
    }
  }
  pop(): string {
    const top = this.a[0]!;
    const last = this.a.pop()!;
    if (this.a.length > 0) {
      this.a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.a.length && this.less(m, l)) m = l;
        if (r < this.a.length && this.less(m, r)) m = r;
        if (m === i) break;
        [this.a[m], this.a[i]] = [this.a[i]!, this.a[m]!];
        i = m;
      }
    }
    return top.id;
  }
}

/**
 * Chooses at most about `limit` nodes to draw, biggest subtrees (by goroutine count) first, always
 * with their ancestors, so the shape of where goroutines pile up survives. Children of the parents
 * in `unfolded` are all drawn once their parent is. Returns the input unchanged when it fits.
 */
export function capTree(
  nodes: readonly TreeNodeView[],
  limit: number,
  unfolded: ReadonlySet<string> = new Set(),
): CappedTree {
  if (nodes.length <= limit) return { nodes, foldedInto: new Map(), folded: new Map() };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const kids = new Map<string | null, TreeNodeView[]>();
  for (const n of nodes) {
    const p = n.parent !== null && byId.has(n.parent) ? n.parent : null;
    let l = kids.get(p);
    if (!l) kids.set(p, (l = []));
    l.push(n);
  }
  // Subtree totals, children before parents (reverse BFS order).
  const order: TreeNodeView[] = [...(kids.get(null) ?? [])];
  for (let i = 0; i < order.length; i++) for (const c of kids.get(order[i]!.id) ?? []) order.push(c);
  const total = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    let t = n.count;
    for (const c of kids.get(n.id) ?? []) t += total.get(c.id) ?? 0;
    total.set(n.id, t);
  }
  const keep = new Set<string>();
  const heap = new Heap();
  for (const r of kids.get(null) ?? []) heap.push(r.id, total.get(r.id) ?? 0);
  while (heap.size > 0 && keep.size < limit) {
    const id = heap.pop();
    keep.add(id);
    for (const c of kids.get(id) ?? []) {
      if (unfolded.has(id)) {
        keep.add(c.id);
        for (const g of kids.get(c.id) ?? []) heap.push(g.id, total.get(g.id) ?? 0);
      } else {
        heap.push(c.id, total.get(c.id) ?? 0);
      }
    }
  }
  const out: TreeNodeView[] = nodes.filter((n) => keep.has(n.id));
  const foldedInto = new Map<string, string>();
  const folded = new Map<string, TreeNodeView[]>();
  const parents: (string | null)[] = [null, ...out.map((n) => n.id)];
  for (const p of parents) {
    const dropped = (kids.get(p) ?? []).filter((c) => !keep.has(c.id));
    if (dropped.length === 0) continue;
    dropped.sort((a, b) => (total.get(b.id) ?? 0) - (total.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1));
    const restId = `${REST_PREFIX}${p ?? ""}`;
    folded.set(restId, dropped);
    let count = 0;
    const states: Record<string, number> = {};
    const stack = [...dropped];
    while (stack.length > 0) {
      const n = stack.pop()!;
      foldedInto.set(n.id, restId);
      count += n.count;
      for (const [s, k] of Object.entries(n.states)) states[s] = (states[s] ?? 0) + k;
      for (const c of kids.get(n.id) ?? []) stack.push(c);
    }
    const biggest = dropped[0]!;
    out.push({
      id: restId,
      parent: p,
      count,
      function: `${dropped.length.toLocaleString("en-US")} more nodes`,
      creator: "",
      state: biggest.state,
      stateClass: biggest.stateClass,
      states,
      // A reduce, not Math.min(...xs): a node of 100,000 folded children or more overflowed the call.
      waitMin: dropped.reduce((m, d) => Math.min(m, d.waitMin), Number.POSITIVE_INFINITY),
      waitMax: dropped.reduce((m, d) => Math.max(m, d.waitMax), Number.NEGATIVE_INFINITY),
      sampleIds: biggest.sampleIds.slice(0, 1),
      depth: p === null ? 0 : (byId.get(p)?.depth ?? 0) + 1,
      ghost: false,
      orphan: false,
    });
  }
  return { nodes: out, foldedInto, folded };
}
