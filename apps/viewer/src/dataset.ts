// The worker's copy of a dump: its goroutines (goroutine-store.ts), the spawn tree and leak findings
// attached once parsing ends, and the queries the page asks on demand.
import { SEVERITIES, type Severity } from "@gosleuth/leaks";
import { type StateClass, startFunctionName } from "@gosleuth/model";
import { goroutineText } from "./frames.ts";
import { GoroutineStore } from "./goroutine-store.ts";
import type {
  FilterResult,
  FindingView,
  GoroutineDetail,
  GroupView,
  MemberView,
  QueryResults,
  SearchHit,
  TreeNodeView,
} from "./protocol.ts";
import { filterGoroutines, searchNodes } from "./search.ts";

/** The aggregated tree as the worker keeps it: the nodes, which node holds each goroutine, each node's group key. */
export interface TreeResult {
  readonly nodes: readonly TreeNodeView[];
  /** Node index (into `nodes`) of each goroutine, by its position in the dump. */
  readonly nodeOf: Int32Array;
  /** @gosleuth/spawn-graph's `nodeGroupKey` of each node (null for ghosts): the key leak findings carry. */
  readonly keys: readonly (string | null)[];
}

/** A leak finding as the worker needs it: the group key of the goroutines it covers and how bad it is. */
export interface FindingInput {
  readonly key: string;
  readonly severity: Severity;
  readonly title: string;
  readonly reasons: readonly string[];
  readonly count: number;
  readonly sampleIds: readonly number[];
}

/** The worse of two severities (leaks lists them worst first). */
function maxSeverity(a: Severity | undefined, b: Severity): Severity {
  return a === undefined || SEVERITIES.indexOf(b) < SEVERITIES.indexOf(a) ? b : a;
}

export class Dataset extends GoroutineStore {
  private tree: TreeResult | null = null;
  private members: { start: Int32Array; list: Int32Array } | null = null;
  private childrenOf: Map<number, number[]> | null = null;
  private findings: FindingView[] = [];

  /**
   * Takes the aggregated tree once every goroutine is in, and attaches the leak findings: a finding
   * marks every node with its group key (one group spans several nodes when its goroutines have
   * different parents), and every list group holding goroutines of those nodes.
   */
  finish(tree: TreeResult, findings: readonly FindingInput[]): void {
    this.tree = tree;
    this.members = null;
    this.nodeIndexCache = null;
    const nodesOfKey = new Map<string, number[]>();
    tree.keys.forEach((k, i) => {
      if (k === null) return;
      let l = nodesOfKey.get(k);
      if (!l) nodesOfKey.set(k, (l = []));
      l.push(i);
    });
    const nodeSeverity = new Map<number, Severity>();
    this.findings = findings.map((f) => {
      const nis = nodesOfKey.get(f.key) ?? [];
      for (const ni of nis) nodeSeverity.set(ni, maxSeverity(nodeSeverity.get(ni), f.severity));
      return {
        id: f.key,
        severity: f.severity,
        title: f.title,
        reasons: f.reasons,
        count: f.count,
        sampleIds: f.sampleIds.slice(0, 10),
        nodeIds: nis.map((ni) => tree.nodes[ni]!.id),
      };
    });
    if (nodeSeverity.size === 0) return;
    for (let pos = 0; pos < tree.nodeOf.length; pos++) {
      const sev = nodeSeverity.get(tree.nodeOf[pos]!);
      if (sev === undefined) continue;
      const acc = this.groups[this.groupCol.data[pos]!]!;
      acc.severity = maxSeverity(acc.severity, sev);
    }
    this.tree = {
      ...tree,
      nodes: tree.nodes.map((n, i) => (nodeSeverity.has(i) ? { ...n, severity: nodeSeverity.get(i) } : n)),
    };
  }

  get nodes(): readonly TreeNodeView[] {
    return this.tree?.nodes ?? [];
  }

  get findingViews(): readonly FindingView[] {
    return this.findings;
  }

  groupViews(): GroupView[] {
    const nodes = this.tree?.nodes;
    return this.groups.map((g) => {
      const pos = g.sample ? this.positionOf(g.sample.id) : undefined;
      const ni = pos !== undefined && this.tree ? this.tree.nodeOf[pos]! : -1;
      return {
        index: g.index,
        count: g.count,
        stateClass: g.stateClass,
        states: g.states,
        waitMin: g.waitMin === Number.POSITIVE_INFINITY ? 0 : g.waitMin,
        waitMax: g.waitMax,
        frames: g.frames,
        creator: g.creator,
        sampleId: g.sample?.id ?? -1,
        nodeId: ni >= 0 && nodes ? nodes[ni]!.id : null,
        severity: g.severity,
      };
    });
  }

  filter(query: string): FilterResult {
    return filterGoroutines(this, this.tree, query);
  }

  search(text: string, limit: number): SearchHit[] {
    return searchNodes(this, this.tree, text, limit);
  }

  private memberIndex(): { start: Int32Array; list: Int32Array } {
    if (this.members) return this.members;
    const n = this.tree?.nodes.length ?? 0;
    const nodeOf = this.tree?.nodeOf ?? new Int32Array(0);
    const start = new Int32Array(n + 1);
    for (let i = 0; i < nodeOf.length; i++) if (nodeOf[i]! >= 0) start[nodeOf[i]! + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, n);
    const list = new Int32Array(start[n]!);
    for (let i = 0; i < nodeOf.length; i++) {
      const ni = nodeOf[i]!;
      if (ni >= 0) list[fill[ni]!++] = i;
    }
    this.members = { start, list };
    return this.members;
  }

  private nodeIndexCache: Map<string, number> | null = null;
  private nodeIndex(): Map<string, number> {
    if (!this.nodeIndexCache)
      this.nodeIndexCache = new Map((this.tree?.nodes ?? []).map((n, i) => [n.id, i]));
    return this.nodeIndexCache;
  }

  membersOf(nodeId: string, limit: number): QueryResults["members"] {
    const ni = this.nodeIndex().get(nodeId) ?? -1;
    if (ni < 0) return { members: [], total: 0 };
    const { start, list } = this.memberIndex();
    const total = start[ni + 1]! - start[ni]!;
    const out: MemberView[] = [];
    for (let k = start[ni]!; k < start[ni + 1]! && out.length < limit; k++) out.push(this.member(list[k]!));
    return { members: out, total };
  }

  /** The tree node holding the goroutine at this position in the dump. */
  nodeIdAtPosition(pos: number): string | null {
    return this.nodeIdAt(pos);
  }

  private nodeIdAt(pos: number | undefined): string | null {
    if (pos === undefined || !this.tree) return null;
    const ni = this.tree.nodeOf[pos]!;
    return ni >= 0 ? this.tree.nodes[ni]!.id : null;
  }

  private children(): Map<number, number[]> {
    if (this.childrenOf) return this.childrenOf;
    const m = new Map<number, number[]>();
    for (let pos = 0; pos < this.ids.length; pos++) {
      const p = this.parents.data[pos]!;
      if (Number.isNaN(p)) continue;
      let l = m.get(p);
      if (!l) m.set(p, (l = []));
      l.push(pos);
    }
    this.childrenOf = m;
    return m;
  }

  childrenOfGoroutine(id: number, limit: number): QueryResults["children"] {
    const l = this.children().get(id) ?? [];
    return { children: l.slice(0, limit).map((p) => this.member(p)), total: l.length };
  }

  goroutine(id: number): GoroutineDetail | null {
    const pos = this.positionOf(id);
    if (pos === undefined) return null;
    const g = this.full(pos);
    const flags: string[] = [];
    if (g.leaked) flags.push("leaked");
    if (g.lockedToThread) flags.push("locked to thread");
    if (g.scan) flags.push("scan");
    if (g.durable) flags.push("durable");
    if (g.synctest) flags.push(`synctest ${g.synctest.kind} ${g.synctest.id}`);
    if (g.stackUnavailable) flags.push("stack unavailable");
    const parentId = g.createdBy?.parentId;
    return {
      id: g.id,
      state: g.state,
      stateClass: g.stateClass,
      waitMinutes: g.waitMinutes,
      flags,
      labels: g.labels ?? {},
      frames: g.frames.map((f) => ({
        fn: f.fn.full,
        args: f.args,
        file: f.file,
        line: f.line,
        inlined: f.inlined,
      })),
      elided: g.elided.map((e) => ({ index: e.index, count: e.count })),
      createdBy: g.createdBy
        ? {
            fn: g.createdBy.fn.full,
            file: g.createdBy.file,
            line: g.createdBy.line,
            ...(parentId !== undefined ? { parentId } : {}),
          }
        : null,
      nodeId: this.nodeIdAt(pos),
      parentNodeId: parentId !== undefined ? this.nodeIdAt(this.positionOf(parentId)) : null,
      childCount: this.children().get(g.id)?.length ?? 0,
      text: goroutineText(g),
    };
  }

  /** Goroutine ancestry up to the root, starting with `id`; a parent missing from the dump ends it. */
  path(id: number): QueryResults["path"] {
    const out: { id: number; nodeId: string | null; function: string }[] = [];
    const seen = new Set<number>();
    let cur: number | undefined = id;
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      const pos = this.positionOf(cur);
      if (pos === undefined) break;
      const frames = this.groups[this.groupCol.data[pos]!]!.sample!.frames;
      out.push({
        id: cur,
        nodeId: this.nodeIdAt(pos),
        function: startFunctionName(frames),
      });
      const p = this.parents.data[pos]!;
      cur = Number.isNaN(p) ? undefined : p;
    }
    return out;
  }

  stateClasses(): Map<StateClass, number> {
    const m = new Map<StateClass, number>();
    for (let pos = 0; pos < this.ids.length; pos++) {
      const c = this.groups[this.groupCol.data[pos]!]!.stateClass as StateClass;
      m.set(c, (m.get(c) ?? 0) + 1);
    }
    return m;
  }
}
