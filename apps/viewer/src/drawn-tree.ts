// The loaded dump's tree as the page draws it: nodes by id, children by parent, and which nodes fold away.
import { type CappedTree, capTree, REST_PREFIX } from "./fold-tree.ts";
import type { TreeNodeView } from "./protocol.ts";

/** Aggregated nodes drawn at most; beyond, each parent's smallest children fold into one node (the list keeps all). */
const DRAW_LIMIT = 3000;

export class DrawnTree {
  /** Tree nodes by id, and the fold nodes of the last `fold()`. */
  readonly byId: Map<string, TreeNodeView>;
  /** Tree nodes by their parent's id. */
  readonly children = new Map<string, TreeNodeView[]>();
  /** Parents whose children are all drawn, whatever DRAW_LIMIT says (the user opened their fold node). */
  private readonly unfolded = new Set<string>();
  /** What the last `fold()` drew. */
  capped: CappedTree = { nodes: [], foldedInto: new Map(), folded: new Map() };

  constructor(private readonly nodes: readonly TreeNodeView[]) {
    this.byId = new Map(nodes.map((n) => [n.id, n]));
    for (const n of nodes) {
      if (n.parent === null) continue;
      let l = this.children.get(n.parent);
      if (!l) this.children.set(n.parent, (l = []));
      l.push(n);
    }
  }

  /** The drawn node standing for a tree node (itself, or the fold node holding it). */
  drawnId(id: string): string {
    return this.capped.foldedInto.get(id) ?? id;
  }

  /** Draws every child of `parent` from the next `fold()` on. */
  unfold(parent: string): void {
    this.unfolded.add(parent);
  }

  /** Folds the tree to DRAW_LIMIT nodes (less what was unfolded) and returns the nodes to draw. */
  fold(): readonly TreeNodeView[] {
    this.capped = capTree(this.nodes, DRAW_LIMIT, this.unfolded);
    for (const n of this.capped.nodes) if (n.id.startsWith(REST_PREFIX)) this.byId.set(n.id, n);
    return this.capped.nodes;
  }
}
