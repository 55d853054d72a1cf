// Reads @gosleuth/spawn-graph's aggregated tree and @gosleuth/leaks' findings into the viewer's shapes, tolerating
// the variations their documented shapes allow, and says so (instead of guessing) when they cannot be reconciled.
import type { Dump, Goroutine } from "@gosleuth/model";
import { SEVERITIES, type Severity } from "@gosleuth/query";
import { creatorSite, goroutineSignature } from "@gosleuth/spawn-graph";
import type { FindingInput, TreeResult } from "./dataset.ts";
import type { TreeNodeView } from "./protocol.ts";

type Rec = Record<string, unknown>;
const isRec = (x: unknown): x is Rec => typeof x === "object" && x !== null;
const num = (x: unknown, d = 0): number => (typeof x === "number" && Number.isFinite(x) ? x : d);
const str = (x: unknown): string =>
  typeof x === "string" ? x : isRec(x) && typeof x.full === "string" ? x.full : x == null ? "" : String(x);

/** `{ function, file, line }`, a FunctionName, or a string, as `function file:line`. */
function creatorText(c: unknown): string {
  if (c == null) return "";
  if (typeof c === "string") return c;
  if (isRec(c)) {
    const fn = str(c.function ?? c.fn ?? c.name);
    return c.file !== undefined ? `${fn} ${str(c.file)}:${num(c.line)}` : fn;
  }
  return String(c);
}

function statesOf(x: unknown): Record<string, number> {
  if (Array.isArray(x)) {
    const out: Record<string, number> = {};
    for (const e of x) if (isRec(e)) out[str(e.state ?? e.name)] = num(e.count);
    return out;
  }
  if (x instanceof Map) return Object.fromEntries([...x].map(([k, v]) => [String(k), num(v)]));
  if (isRec(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, num(v)]));
  return {};
}

/** One node of the package's tree in the viewer's shape (the package's JSON is issue 4's `--json`). */
export function nodeView(n: Rec): TreeNodeView {
  const wait = isRec(n.waitMinutes) ? n.waitMinutes : {};
  const sampleIds = Array.isArray(n.sampleIds) ? n.sampleIds.map((x) => num(x)) : [];
  const ghost = n.ghost === true;
  return {
    id: String(n.id),
    parent: n.parent == null ? null : String(n.parent),
    // A ghost's count is its number of exited parents, not goroutines: counts here are goroutines.
    count: ghost ? 0 : num(n.count),
    ...(ghost && num(n.count) > 0 ? { exitedParents: num(n.count) } : {}),
    function: str(n.function),
    creator: creatorText(n.creator),
    state: str(n.state),
    stateClass: str(n.stateClass) || "unknown",
    states: statesOf(n.states),
    waitMin: num(wait.min, num(n.waitMin)),
    waitMax: num(wait.max, num(n.waitMax)),
    sampleIds,
    depth: num(n.depth),
    ghost,
    orphan: n.orphan === true,
  };
}

function nodesOf(result: unknown): Rec[] | null {
  if (Array.isArray(result)) return result.filter(isRec);
  if (isRec(result)) {
    const n = result.nodes;
    if (Array.isArray(n)) return n.filter(isRec);
    if (typeof n === "function") {
      const r = (n as () => unknown).call(result);
      if (Array.isArray(r)) return r.filter(isRec);
    }
  }
  return null;
}

export interface SpawnGraphModule {
  readonly buildAggregateTree?: unknown;
  readonly AggregateTreeBuilder?: unknown;
}

/** Calls whichever builder the package exports; null when it exports none (or it failed). */
export function packageTreeNodes(mod: SpawnGraphModule, goroutines: readonly Goroutine[]): Rec[] | null {
  if (typeof mod.buildAggregateTree === "function") {
    return nodesOf((mod.buildAggregateTree as (g: readonly Goroutine[]) => unknown)(goroutines));
  }
  if (typeof mod.AggregateTreeBuilder === "function") {
    const b = new (mod.AggregateTreeBuilder as new () => Rec)();
    if (typeof b.add !== "function") return null;
    for (const g of goroutines) (b.add as (g: Goroutine) => void).call(b, g);
    for (const m of ["finish", "build", "result", "tree", "toJSON"]) {
      if (typeof b[m] === "function") return nodesOf((b[m] as () => unknown).call(b));
    }
    return nodesOf(b);
  }
  return null;
}

/**
 * Which node holds each goroutine. The package's nodes carry sample ids but not their members,
 * so every goroutine is matched by its signature and creator site to the nodes whose sample has
 * the same, then by parent node (its parent goroutine's node) when several nodes share them.
 * Returns null unless every goroutine lands somewhere and every node's count comes out exact.
 */
export function reconcile(
  nodes: readonly TreeNodeView[],
  goroutines: readonly Goroutine[],
): Int32Array | null {
  // Positions by id (the first of a duplicated id) by binary search in sorted typed arrays: a Map
  // of every goroutine costs far more, and its growth is what the worker's peak memory is made of.
  const n = goroutines.length;
  const idAt = new Float64Array(n);
  for (let i = 0; i < n; i++) idAt[i] = goroutines[i]!.id;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => idAt[a]! - idAt[b]! || a - b);
  const sortedIds = new Float64Array(n);
  for (let i = 0; i < n; i++) sortedIds[i] = idAt[order[i]!]!;
  const posOf = {
    get(id: number): number | undefined {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sortedIds[mid]! < id) lo = mid + 1;
        else hi = mid;
      }
      return lo < n && sortedIds[lo] === id ? order[lo] : undefined;
    },
  };
  // Signatures are whole stacks: build each string once per frames array (goroutines of one group
  // share theirs, see Dataset.add) and key goroutines by small numbers instead.
  const sigOfFrames = new Map<unknown, { cls: string; elided: unknown; id: number }[]>();
  const sigIds = new Map<string, number>();
  const siteIds = new Map<string, number>();
  const key = (g: Goroutine): string => {
    // The signature is frames + elisions + state class: cache on exactly those.
    let cached = sigOfFrames.get(g.frames);
    let sig = cached?.find((c) => c.cls === g.stateClass && c.elided === g.elided)?.id;
    if (sig === undefined) {
      const text = goroutineSignature(g);
      sig = sigIds.get(text) ?? sigIds.size;
      if (sig === sigIds.size) sigIds.set(text, sig);
      if (!cached) sigOfFrames.set(g.frames, (cached = []));
      if (cached.length < 8) cached.push({ cls: g.stateClass, elided: g.elided, id: sig });
    }
    const siteText = creatorSite(g.createdBy);
    let site = siteIds.get(siteText);
    if (site === undefined) {
      site = siteIds.size;
      siteIds.set(siteText, site);
    }
    return `${sig}:${site}`;
  };
  const byKey = new Map<string, number[]>();
  nodes.forEach((n, ni) => {
    const pos = n.sampleIds.length > 0 ? posOf.get(n.sampleIds[0]!) : undefined;
    if (n.ghost || pos === undefined) return;
    const k = key(goroutines[pos]!);
    let l = byKey.get(k);
    if (!l) byKey.set(k, (l = []));
    l.push(ni);
  });
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const nodeOf = new Int32Array(goroutines.length).fill(-2); // -2: not yet computed
  const assign = (start: number): void => {
    // Iterative over the ancestor chain: chains of thousands of goroutines exist (recursive spawners).
    const chain: number[] = [];
    const seen = new Set<number>();
    for (let p: number | undefined = start; p !== undefined && nodeOf[p] === -2 && !seen.has(p); ) {
      seen.add(p);
      chain.push(p);
      const parentId: number | undefined = goroutines[p]!.createdBy?.parentId;
      p = parentId === undefined ? undefined : posOf.get(parentId);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const pos = chain[i]!;
      const g = goroutines[pos]!;
      const cands = byKey.get(key(g)) ?? [];
      let pick = cands.length === 1 ? cands[0]! : -1;
      if (cands.length > 1) {
        const ppos = g.createdBy?.parentId === undefined ? undefined : posOf.get(g.createdBy.parentId);
        const pnode = ppos === undefined ? -1 : nodeOf[ppos]!;
        const want = pnode >= 0 ? nodes[pnode]!.id : null;
        const byParent = cands.filter((c) => {
          const par = nodes[c]!.parent;
          if (want !== null) return par === want;
          // No parent goroutine in the dump: the node hangs at the top or under a ghost.
          return par === null || nodes[index.get(par) ?? -1]?.ghost === true;
        });
        pick = byParent.find((c) => nodes[c]!.sampleIds.includes(g.id)) ?? byParent[0] ?? -1;
      }
      nodeOf[pos] = pick;
    }
  };
  for (let i = 0; i < goroutines.length; i++) if (nodeOf[i] === -2) assign(i);
  const counts = new Float64Array(nodes.length);
  for (let i = 0; i < goroutines.length; i++) {
    const ni = nodeOf[i]!;
    if (ni < 0) return null;
    counts[ni]!++;
  }
  // Ghosts hold no goroutine of their own (the parent exited); every other count must come out exact.
  for (let i = 0; i < nodes.length; i++) if (!nodes[i]!.ghost && counts[i] !== nodes[i]!.count) return null;
  return nodeOf;
}

/** The package's tree with membership, or null (with the reason) when it is absent or cannot be reconciled. */
export function packageTree(
  mod: SpawnGraphModule,
  goroutines: readonly Goroutine[],
): { tree: TreeResult | null; problem: string | null } {
  let raw: Rec[] | null;
  try {
    raw = packageTreeNodes(mod, goroutines);
  } catch (e) {
    return {
      tree: null,
      problem: `@gosleuth/spawn-graph failed: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  if (raw === null) return { tree: null, problem: null };
  const nodes = raw.map(nodeView);
  const nodeOf = reconcile(nodes, goroutines);
  if (!nodeOf) {
    return {
      tree: null,
      problem:
        "@gosleuth/viewer: could not match every goroutine to a node of @gosleuth/spawn-graph's aggregated tree; showing the viewer's own grouping",
    };
  }
  return { tree: { nodes, nodeOf }, problem: null };
}

const SEVERITY_ALIASES: Readonly<Record<string, Severity>> = {
  info: "info",
  note: "info",
  low: "low",
  warning: "medium",
  warn: "medium",
  medium: "medium",
  moderate: "medium",
  high: "high",
  error: "high",
  critical: "critical",
  severe: "critical",
};

function severityOf(x: unknown): Severity {
  const s = str(x).toLowerCase();
  return (SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : (SEVERITY_ALIASES[s] ?? "medium");
}

function idsOf(f: Rec): number[] {
  for (const k of ["goroutineIds", "ids", "sampleIds", "samples"]) {
    const v = f[k];
    if (Array.isArray(v))
      return v.map((x) => (isRec(x) ? num(x.id) : num(x))).filter((x) => x > 0 || x === 0);
  }
  return [];
}

/** `blocked-chan-receive: 300 × main.worker at main.go:40` from the fields @gosleuth/leaks' findings carry. */
function titleOf(f: Rec): string {
  const where = isRec(f.blockingFrame) ? ` at ${creatorText(f.blockingFrame)}` : "";
  const what = str(f.startFunction) || str(f.kind) || "goroutines";
  const cat = str(f.category);
  return `${cat ? `${cat}: ` : ""}${num(f.count) ? `${num(f.count).toLocaleString("en-US")} × ` : ""}${what}${where}`;
}

export interface LeaksModule {
  readonly analyzeLeaks?: unknown;
}

/** Runs @gosleuth/leaks' analysis on the dump when the package exports it; never throws. */
export function packageFindings(
  mod: LeaksModule,
  dump: Dump,
): { findings: FindingInput[]; problem: string | null } {
  if (typeof mod.analyzeLeaks !== "function") return { findings: [], problem: null };
  let out: unknown;
  try {
    out = (mod.analyzeLeaks as (d: Dump) => unknown)(dump);
  } catch (e) {
    return { findings: [], problem: `@gosleuth/leaks failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const list = Array.isArray(out) ? out : isRec(out) && Array.isArray(out.findings) ? out.findings : [];
  // The analysis scores every group; only suspects are marked (known-benign shapes and
  // informational scores would put a border on every node).
  const suspects = list.filter(isRec).filter((f) => f.benign !== true && severityOf(f.severity) !== "info");
  const findings = suspects.map((f, i) => {
    const reasons = Array.isArray(f.reasons)
      ? f.reasons.map((r) => (isRec(r) ? str(r.text ?? r.message ?? r.reason ?? JSON.stringify(r)) : str(r)))
      : [];
    const ids = idsOf(f);
    return {
      id: str(f.id ?? f.key) || `finding-${i + 1}`,
      severity: severityOf(f.severity),
      title: str(f.title ?? f.summary ?? f.message) || titleOf(f),
      reasons,
      goroutineIds: ids,
      count: num(f.count, ids.length),
    };
  });
  return { findings, problem: null };
}
