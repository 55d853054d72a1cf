// Text, Graphviz and JSON renderings of the aggregated tree (shared by the CLI and the viewer's export).
import { formatCount } from "@gosleuth/model";
import { plain } from "@gosleuth/text";
import type { AggNode, AggregateTree } from "./aggregate.ts";

const fmt = formatCount;

export interface RenderOptions {
  /** Levels to print below the start (default: all). */
  depth?: number;
  /** Hide nodes with fewer goroutines (ghosts are always shown when they have visible children). */
  minCount?: number;
  /** Start at this node id. */
  root?: string;
}

function childrenIndex(tree: AggregateTree): Map<string | null, AggNode[]> {
  const m = new Map<string | null, AggNode[]>();
  for (const n of tree.nodes) {
    let l = m.get(n.parent);
    if (!l) m.set(n.parent, (l = []));
    l.push(n);
  }
  return m;
}

function waitText(n: AggNode): string {
  const { min, max } = n.waitMinutes;
  if (max === 0) return "";
  return min === max ? `  [${max} min]` : `  [${min}–${max} min]`;
}

/** One line per node: `4 × 3,000 main.(*Server).serveConn  chan receive  [0–5 min]`. */
export function nodeLabel(n: AggNode, parentCount: number): string {
  if (n.ghost)
    return `(exited) ${plain(n.function)}${n.count ? `  ${fmt(n.count)} parent${n.count === 1 ? "" : "s"} gone` : ""}`;
  let count = "";
  if (n.count > 1) {
    const per =
      parentCount > 1 && n.count > parentCount && n.count % parentCount === 0
        ? `${fmt(parentCount)} × ${fmt(n.count / parentCount)}`
        : fmt(n.count);
    count = `${per} `;
  }
  const flags = `${n.orphan ? "  orphan" : ""}${n.viaSite ? "  (by creator site)" : ""}`;
  // Dump text: control characters escaped (a terminal would act on them), long names cut.
  return `${count}${plain(n.function) || "(no frames)"}  ${plain(n.state)}${waitText(n)}${flags}`;
}

/**
 * Levels an outline prints below its start when no depth is given. Each level indents its line by three
 * characters more, so a spawn chain n levels deep printed whole is n²·3/2 characters (and its walk was a
 * call per level: a chain of 5,000 overflowed the stack); past this a `… more` line and a note say where it
 * was cut.
 */
export const OUTLINE_DEPTH = 1_000;

/** The note an outline ends with when OUTLINE_DEPTH cut it. */
export function outlineCutNote(what: string): string {
  return `(cut at ${fmt(OUTLINE_DEPTH)} levels: --depth N prints more of them, --root ID starts at a ${what} lower down)`;
}

export function renderTreeText(tree: AggregateTree, o: RenderOptions = {}): string {
  const kids = childrenIndex(tree);
  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  const visible = (n: AggNode) => !o.minCount || n.ghost || n.count >= o.minCount;
  const maxDepth = o.depth ?? OUTLINE_DEPTH;
  let cutByDefault = false;
  // Depth first, children in order, each node's "smaller groups" line after its children: an explicit
  // stack (a deep spawn chain would overflow the call stack), holding nodes to print and lines to print
  // when reached.
  type Visit = {
    n: AggNode;
    prefix: string;
    last: boolean;
    depth: number;
    parentCount: number;
    top: boolean;
  };
  const stack: (Visit | string)[] = [];
  const starts = o.root
    ? [byId.get(o.root)].filter((x): x is AggNode => x !== undefined)
    : (kids.get(null) ?? []).filter(visible);
  for (let i = starts.length - 1; i >= 0; i--)
    stack.push({ n: starts[i]!, prefix: "", last: true, depth: 0, parentCount: 1, top: true });
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (typeof v === "string") {
      lines.push(v);
      continue;
    }
    const { n, prefix, last, depth, top } = v;
    lines.push(`${top ? "" : `${prefix}${last ? "└─ " : "├─ "}`}${nodeLabel(n, v.parentCount)}`);
    if (depth >= maxDepth) {
      const hidden = (kids.get(n.id) ?? []).length;
      if (hidden > 0) {
        lines.push(
          `${prefix}${top ? "" : last ? "   " : "│  "}└─ … ${fmt(hidden)} more group${hidden === 1 ? "" : "s"}`,
        );
        if (o.depth === undefined) cutByDefault = true;
      }
      continue;
    }
    const cs = (kids.get(n.id) ?? []).filter(visible);
    const skipped = (kids.get(n.id) ?? []).length - cs.length;
    const next = top ? "" : `${prefix}${last ? "   " : "│  "}`;
    if (skipped > 0)
      stack.push(`${next}└─ … ${fmt(skipped)} smaller group${skipped === 1 ? "" : "s"} (under --min-count)`);
    const parentCount = n.ghost ? 1 : n.count;
    for (let i = cs.length - 1; i >= 0; i--) {
      stack.push({
        n: cs[i]!,
        prefix: next,
        last: i === cs.length - 1 && skipped === 0,
        depth: depth + 1,
        parentCount,
        top: false,
      });
    }
  }
  if (cutByDefault) lines.push(outlineCutNote("group"));
  return `${lines.join("\n")}\n`;
}

const dotEscape = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

export function renderTreeDot(tree: AggregateTree): string {
  const out = ["digraph spawn {", "  rankdir=LR;", '  node [shape=box, fontname="monospace"];'];
  const counts = new Map(tree.nodes.map((n) => [n.id, n.count]));
  for (const n of tree.nodes) {
    const style = n.ghost ? ", style=dashed" : n.orphan ? ", color=orange" : "";
    out.push(
      `  "${n.id}" [label="${dotEscape(nodeLabel(n, n.parent ? (counts.get(n.parent) ?? 1) : 1))}"${style}];`,
    );
  }
  for (const n of tree.nodes) if (n.parent) out.push(`  "${n.parent}" -> "${n.id}";`);
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** `{ "nodes": [...] }`, the `gosleuth tree --json` document. */
export function treeToJson(tree: AggregateTree): { total: number; nodes: AggNode[] } {
  return { total: tree.total, nodes: tree.nodes };
}
