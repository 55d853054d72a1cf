// View state (kept in the URL hash so a view can be shared) and the pure appearance logic behind sigma's reducers.
import type { Severity } from "@gosleuth/leaks";
import {
  CONTEXT_COLOR,
  EDGE_COLOR,
  GHOST_COLOR,
  NODE_BACKGROUND,
  ORPHAN_BORDER,
  PATH_EDGE_COLOR,
  SEVERITY_COLORS,
  stateColor,
} from "./colors.ts";

export type LayoutKind = "tree" | "radial" | "fa2";

/** Everything a shared link reproduces. The dump itself is never in the URL (nothing is uploaded). */
export interface ViewState {
  readonly q: string;
  readonly layout: LayoutKind;
  /** Selected graph node (aggregated node id, or `g:<id>` for an expanded goroutine). */
  readonly sel: string | null;
  /** Aggregated nodes expanded into their goroutines. */
  readonly exp: readonly string[];
}

export const DEFAULT_VIEW: ViewState = { q: "", layout: "tree", sel: null, exp: [] };

const LAYOUTS: readonly LayoutKind[] = ["tree", "radial", "fa2"];

export function parseHash(hash: string): ViewState {
  const p = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  const layout = p.get("layout");
  const exp = p.getAll("exp").filter((x) => x.length > 0);
  return {
    q: p.get("q") ?? "",
    layout: LAYOUTS.includes(layout as LayoutKind) ? (layout as LayoutKind) : DEFAULT_VIEW.layout,
    sel: p.get("sel") || null,
    exp: [...new Set(exp)],
  };
}

/** Only what differs from the defaults, in a fixed order, so equal views give equal URLs. */
export function formatHash(v: ViewState): string {
  const p = new URLSearchParams();
  if (v.q) p.set("q", v.q);
  if (v.layout !== DEFAULT_VIEW.layout) p.set("layout", v.layout);
  if (v.sel) p.set("sel", v.sel);
  for (const e of [...v.exp].sort()) p.append("exp", e);
  const s = p.toString();
  return s ? `#${s}` : "";
}

/** Node size in screen pixels from its goroutine count: logarithmic, so 1 and 100,000 both stay visible. */
export function nodeSize(count: number): number {
  return Math.min(28, 3 + 4 * Math.log10(Math.max(1, count)));
}

/** Attributes the graph holds for each node (data); appearance is derived in the reducers. */
export interface NodeAttrs {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  /** "agg": aggregated tree node; "goroutine": one goroutine of an expanded node; "more": the rest of it. */
  kind: "agg" | "goroutine" | "more";
  count: number;
  stateClass: string;
  ghost: boolean;
  orphan: boolean;
  severity?: Severity | undefined;
  /** sigma node program: "circle", "ring" (ghosts) or "bordered" (orphans, leak findings). */
  type: "circle" | "ring" | "bordered";
  borderColor: string;
}

/** Data-only attributes for an aggregated node; the reducers never change these. */
export function aggNodeAttrs(n: {
  count: number;
  function: string;
  stateClass: string;
  ghost: boolean;
  orphan: boolean;
  severity?: Severity | undefined;
}): Omit<NodeAttrs, "x" | "y"> {
  const fn = n.function || "(unknown)";
  // A count of one says nothing on a label; it only pushes the neighbours' labels apart.
  const label = n.ghost
    ? `ghost · ${fn}`
    : n.count === 1
      ? shortFunction(fn)
      : `${n.count.toLocaleString("en-US")} × ${shortFunction(fn)}`;
  const border = n.severity ? SEVERITY_COLORS[n.severity] : n.orphan ? ORPHAN_BORDER : "";
  return {
    size: n.ghost ? 6 : nodeSize(n.count),
    color: n.ghost ? GHOST_COLOR : stateColor(n.stateClass),
    label,
    kind: "agg",
    count: n.count,
    stateClass: n.stateClass,
    ghost: n.ghost,
    orphan: n.orphan,
    severity: n.severity,
    type: n.ghost ? "ring" : border ? "bordered" : "circle",
    borderColor: border || NODE_BACKGROUND,
  };
}

/** `net/http.(*conn).serve` → `http.(*conn).serve`: the import path's last element is enough on a label. */
export function shortFunction(full: string): string {
  const slash = full.lastIndexOf("/", full.indexOf("(") >= 0 ? full.indexOf("(") : full.length);
  const short = slash >= 0 ? full.slice(slash + 1) : full;
  // A name that ends in `/` (a mangled or cut frame) has no last element: show it whole.
  return short.trim() === "" ? full : short;
}

/** App state the reducers read: selection, hover, filter and search results. */
export interface Appearance {
  readonly selected: string | null;
  readonly hovered: string | null;
  /** Nodes on the path from the selection to its root (selection included). */
  readonly path: ReadonlySet<string>;
  /** Matched goroutines per node while a filter is active; null when no filter. */
  readonly match: ReadonlyMap<string, number> | null;
  /** Ancestors of matched nodes that matched nothing themselves: drawn faint to keep the tree connected. */
  readonly context: ReadonlySet<string>;
  readonly searchHits: ReadonlySet<string>;
  /** Nodes of the incident picked in the list, outlined together. */
  readonly outlined: ReadonlySet<string>;
}

export const EMPTY_APPEARANCE: Appearance = {
  selected: null,
  hovered: null,
  path: new Set(),
  match: null,
  context: new Set(),
  searchHits: new Set(),
  outlined: new Set(),
};

/**
 * Whether two appearances draw the same picture, hover aside (the graph keeps its own): each field
 * is the same value, or both are empty. Non-empty sets and maps count as different even when they
 * are the same object, since a caller may have refilled one in place.
 */
export function sameLook(a: Appearance, b: Appearance): boolean {
  const same = (x: unknown, y: unknown) => {
    if (x instanceof Set || x instanceof Map)
      return (y instanceof Set || y instanceof Map) && x.size === 0 && y.size === 0;
    return x === y;
  };
  // Every field, so that one added to Appearance later is compared too.
  for (const k of Object.keys(a) as (keyof Appearance)[])
    if (k !== "hovered" && !same(a[k], b[k])) return false;
  return true;
}

/** The subset of sigma's NodeDisplayData the reducers set (kept structural to test without sigma). */
export interface NodeLook {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string | null;
  hidden: boolean;
  forceLabel: boolean;
  highlighted: boolean;
  zIndex: number;
  type: string;
  borderColor: string;
}

export function nodeVisible(id: string, kind: NodeAttrs["kind"], a: Appearance): boolean {
  if (a.match === null || kind !== "agg") return true;
  return (a.match.get(id) ?? 0) > 0 || a.context.has(id);
}

export function nodeLook(id: string, n: NodeAttrs, a: Appearance): NodeLook {
  const look: NodeLook = {
    x: n.x,
    y: n.y,
    size: n.size,
    color: n.color,
    label: n.label,
    hidden: false,
    forceLabel: false,
    highlighted: false,
    zIndex: 0,
    type: n.type,
    borderColor: n.borderColor,
  };
  if (a.match !== null && n.kind === "agg") {
    const m = a.match.get(id) ?? 0;
    if (m > 0) {
      if (m !== n.count && !n.ghost) {
        look.label = `${m.toLocaleString("en-US")} of ${n.label}`;
        look.size = nodeSize(m);
      }
    } else if (a.context.has(id)) {
      look.color = CONTEXT_COLOR;
      look.size = Math.min(n.size, 4);
      look.label = null;
      look.type = n.type === "ring" ? "ring" : "circle";
    } else {
      look.hidden = true;
      return look;
    }
  }
  if (a.path.has(id)) {
    look.forceLabel = true;
    look.zIndex = 1;
  }
  if (a.searchHits.has(id)) {
    look.highlighted = true;
    look.forceLabel = true;
    look.zIndex = 2;
  }
  if (a.outlined.has(id)) {
    look.highlighted = true;
    look.forceLabel = true;
    look.zIndex = 3;
  }
  if (id === a.selected || id === a.hovered) {
    look.highlighted = true;
    look.forceLabel = true;
    look.zIndex = 3;
  }
  return look;
}

export interface EdgeLook {
  hidden: boolean;
  color: string;
  size: number;
  zIndex: number;
}

/** Edges follow their ends: hidden with them, dark and thick on the selection's path to the root. */
export function edgeLook(
  source: string,
  target: string,
  sourceVisible: boolean,
  targetVisible: boolean,
  a: Appearance,
): EdgeLook {
  if (!sourceVisible || !targetVisible) return { hidden: true, color: EDGE_COLOR, size: 1, zIndex: 0 };
  if (a.path.has(source) && a.path.has(target))
    return { hidden: false, color: PATH_EDGE_COLOR, size: 3, zIndex: 1 };
  return { hidden: false, color: EDGE_COLOR, size: 1, zIndex: 0 };
}

/** The path from `id` up to its root, `id` first, through a parent map; stops on a cycle. */
export function pathToRoot(id: string, parentOf: (id: string) => string | null | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let cur: string | null | undefined = id;
  while (cur != null && !seen.has(cur)) {
    out.push(cur);
    seen.add(cur);
    cur = parentOf(cur);
  }
  return out;
}

/** Ancestors of matched nodes that did not match themselves (the faint context of a filtered tree). */
export function contextNodes(
  match: ReadonlyMap<string, number>,
  parentOf: (id: string) => string | null | undefined,
): Set<string> {
  const ctx = new Set<string>();
  for (const [id, m] of match) {
    if (m <= 0) continue;
    let cur = parentOf(id);
    while (cur != null && !ctx.has(cur) && (match.get(cur) ?? 0) <= 0) {
      ctx.add(cur);
      cur = parentOf(cur);
    }
  }
  return ctx;
}
