// Deterministic tree layouts for the spawn tree (tidy top-down or radial), computed with d3-hierarchy.
import { type HierarchyPointNode, hierarchy, tree } from "d3-hierarchy";

export type TreeLayoutKind = "tree" | "radial";

export interface LayoutInput {
  readonly id: string;
  /** Parent id, or null for a root. A parent that is not in the input makes the node a root. */
  readonly parent: string | null;
  /** Sort key among siblings (bigger first); ties break on id so the layout never depends on input order. */
  readonly weight?: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

interface TreeNode {
  readonly id: string;
  readonly weight: number;
  readonly children: TreeNode[];
}

const VIRTUAL_ROOT = "\u0000root";

/** Builds the forest under one virtual root; cycles (which a spawn tree never has) are broken by treating the node as a root. */
function forest(nodes: readonly LayoutInput[]): TreeNode {
  const byId = new Map<string, TreeNode>();
  for (const n of nodes) byId.set(n.id, { id: n.id, weight: n.weight ?? 0, children: [] });
  const root: TreeNode = { id: VIRTUAL_ROOT, weight: 0, children: [] };
  const parentOf = new Map<string, string | null>();
  for (const n of nodes) parentOf.set(n.id, n.parent !== null && byId.has(n.parent) ? n.parent : null);
  for (const n of nodes) {
    const self = byId.get(n.id)!;
    let p = parentOf.get(n.id) ?? null;
    // Walk up to detect a cycle; bounded by the node count.
    if (p !== null) {
      let cur: string | null = p;
      let steps = 0;
      while (cur !== null && steps <= nodes.length) {
        if (cur === n.id) {
          p = null;
          break;
        }
        cur = parentOf.get(cur) ?? null;
        steps++;
      }
      if (p === null) parentOf.set(n.id, null);
    }
    (p === null ? root : byId.get(p)!).children.push(self);
  }
  const order = (a: TreeNode, b: TreeNode) => b.weight - a.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const stack: TreeNode[] = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    t.children.sort(order);
    for (const c of t.children) stack.push(c);
  }
  return root;
}

/**
 * Positions every node. "tree": roots on the left, one column per depth, siblings one under
 * the other (Reingold–Tilford tidy tree, unit spacing between neighbouring leaves). "radial": the same
 * tree bent around the centre, depth as radius, so very wide levels (thousands of siblings)
 * still fit on screen. Coordinates are in arbitrary units; sigma rescales them to the view.
 */
export function treeLayout(nodes: readonly LayoutInput[], kind: TreeLayoutKind): Map<string, Point> {
  const out = new Map<string, Point>();
  if (nodes.length === 0) return out;
  const root = hierarchy<TreeNode>(forest(nodes), (d) => d.children);
  const leaves = Math.max(1, root.leaves().length);
  const height = Math.max(1, root.height);
  let laid: HierarchyPointNode<TreeNode>;
  if (kind === "tree") {
    // Left to right like tree(1): one column per depth, siblings stacked so each label has its own
    // line. Columns are spaced so the whole tree keeps roughly a screen's aspect ratio at fit.
    const colGap = Math.max(3, (1.6 * leaves) / height);
    laid = tree<TreeNode>()
      .nodeSize([1, colGap])
      .separation((a, b) => (a.parent === b.parent ? 1 : 1.5))(root);
    for (const d of laid.descendants()) {
      if (d.data.id === VIRTUAL_ROOT) continue;
      // Depth 1 are the real roots; sigma's y axis points up, so the first sibling is drawn on top.
      out.set(d.data.id, { x: (d.depth - 1) * colGap, y: -d.x });
    }
    return out;
  }
  // Radius grows with depth; leaves often sit halfway out (a root, then one wide level), so the
  // ring is sized to leave ~1 unit per leaf even there.
  const radius = Math.max(height, leaves / Math.PI);
  laid = tree<TreeNode>()
    .size([2 * Math.PI, radius])
    .separation((a, b) => (a.parent === b.parent ? 1 : 2) / Math.max(1, a.depth))(root);
  const single = (root.children?.length ?? 0) === 1;
  for (const d of laid.descendants()) {
    if (d.data.id === VIRTUAL_ROOT) continue;
    // With one real root, put it at the centre instead of leaving the virtual root there.
    const r = single ? ((d.depth - 1) / height) * radius : (d.depth / height) * radius;
    out.set(d.data.id, { x: r * Math.sin(d.x), y: r * Math.cos(d.x) });
  }
  return out;
}

/**
 * For each node, the distance (layout units) to its nearest neighbour on the same level: the
 * same column in the tree layout, the same ring (along the arc) in the radial one.
 */
export function levelRoom(
  pos: ReadonlyMap<string, { x: number; y: number }>,
  kind: "tree" | "radial",
): Map<string, number> {
  const levels = new Map<number, { id: string; at: number; r: number }[]>();
  for (const [id, p] of pos) {
    const r = Math.hypot(p.x, p.y);
    const key = kind === "tree" ? Math.round(p.x * 1000) : Math.round(r * 1000);
    const at = kind === "tree" ? p.y : Math.atan2(p.y, p.x);
    let l = levels.get(key);
    if (!l) levels.set(key, (l = []));
    l.push({ id, at, r });
  }
  const out = new Map<string, number>();
  for (const l of levels.values()) {
    l.sort((a, b) => a.at - b.at);
    for (let i = 0; i < l.length; i++) {
      const e = l[i]!;
      if (l.length === 1) continue;
      let d = Number.POSITIVE_INFINITY;
      const prev = l[i - 1] ?? (kind === "radial" ? l[l.length - 1] : undefined);
      const next = l[i + 1] ?? (kind === "radial" ? l[0] : undefined);
      for (const o of [prev, next]) {
        if (!o || o === e) continue;
        let gap = Math.abs(e.at - o.at);
        if (kind === "radial") gap = Math.min(gap, 2 * Math.PI - gap) * e.r;
        d = Math.min(d, gap);
      }
      out.set(e.id, d);
    }
  }
  return out;
}
