// The tree layouts as they cross between the layout worker and the page: positions and level room in
// typed arrays (moved, not copied), in the order `treeLayout` placed the nodes.
import { type LayoutInput, levelRoom, type Point, type TreeLayoutKind, treeLayout } from "./layout.ts";

export interface LayoutRequest {
  readonly seq: number;
  readonly nodes: readonly LayoutInput[];
  readonly kind: TreeLayoutKind;
}

/**
 * `order[k]` is the input index of the k-th node placed, at `xs[k]`, `ys[k]`, with `room[k]` its
 * level room (NaN for none).
 */
export interface LayoutReply {
  readonly seq: number;
  readonly order: Int32Array;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly room: Float64Array;
}

export interface DecodedLayout {
  readonly pos: Map<string, Point>;
  readonly room: Map<string, number>;
}

/** Lays out the request's nodes (the worker's side). */
export function layOut({ seq, nodes, kind }: LayoutRequest): LayoutReply {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const pos = treeLayout(nodes, kind);
  const room = levelRoom(pos, kind);
  const n = pos.size;
  const reply: LayoutReply = {
    seq,
    order: new Int32Array(n),
    xs: new Float64Array(n),
    ys: new Float64Array(n),
    room: new Float64Array(n),
  };
  let k = 0;
  for (const [id, p] of pos) {
    reply.order[k] = index.get(id)!;
    reply.xs[k] = p.x;
    reply.ys[k] = p.y;
    reply.room[k] = room.get(id) ?? Number.NaN;
    k++;
  }
  return reply;
}

/** The maps `treeLayout` and `levelRoom` give, from a reply to a request for `nodes` (the page's side). */
export function decodeLayout(nodes: readonly LayoutInput[], reply: LayoutReply): DecodedLayout {
  const pos = new Map<string, Point>();
  const room = new Map<string, number>();
  for (let k = 0; k < reply.order.length; k++) {
    const id = nodes[reply.order[k]!]!.id;
    pos.set(id, { x: reply.xs[k]!, y: reply.ys[k]! });
    const r = reply.room[k]!;
    if (!Number.isNaN(r)) room.set(id, r);
  }
  return { pos, room };
}
