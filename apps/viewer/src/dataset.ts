// The worker's copy of a dump: every goroutine, its group and tree node, and the queries the page asks on demand.
import { SEVERITIES, type Severity } from "@gosleuth/leaks";
import {
  type Frame,
  type Goroutine,
  type GoroutineGroup,
  type StateClass,
  startFunctionName,
} from "@gosleuth/model";
import { compileFilter, type GoroutineSubject, parseFilter } from "@gosleuth/query";
import { goroutineSignature, IdIndex } from "@gosleuth/spawn-graph";
import { Growable } from "@gosleuth/spawn-graph/internal";
import { frameDiff, goroutineText, NONE, patchFrames, sameElisions } from "./frames.ts";
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

/** A row of the list: goroutines sharing one stack signature (or one debug=1 profile group). */
interface ListGroup {
  readonly index: number;
  /** First goroutine of the group; null for a debug=1 profile group (no per-goroutine data). */
  readonly sample: Goroutine | null;
  readonly stateClass: string;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly frames: number[];
  readonly creator: string;
  count: number;
  readonly states: Record<string, number>;
  waitMin: number;
  waitMax: number;
  funcsText?: string;
  filesText?: string;
  severity?: Severity;
}

function creatorText(g: Goroutine): string {
  const c = g.createdBy;
  return c ? `${c.fn.full} ${c.file}:${c.line}` : "";
}

/** The worse of two severities (leaks lists them worst first). */
function maxSeverity(a: Severity | undefined, b: Severity): Severity {
  return a === undefined || SEVERITIES.indexOf(b) < SEVERITIES.indexOf(a) ? b : a;
}

const LOCKED = 1;
const LEAKED = 2;
const SCAN = 4;
const DURABLE = 8;
const NO_STACK = 16;

/** What few goroutines have: kept per goroutine only when present. */
interface UncommonFields {
  idText?: string;
  synctest?: Goroutine["synctest"];
  labels?: Readonly<Record<string, string>>;
  labelsRaw?: Goroutine["labelsRaw"];
  gp?: string;
  m?: string;
  mp?: string;
  extraState?: readonly string[];
  elided?: Goroutine["elided"];
  ancestors?: Goroutine["ancestors"];
}

export class Dataset {
  /**
   * Every goroutine, by position in the dump, kept as columns (numbers in typed arrays, strings
   * interned, the stack once per group): a Goroutine object is only made when asked for (`at`).
   */
  private readonly ids = new Growable(Float64Array);
  /** Parent goroutine id; NaN when `created by` prints none (or there is no `created by`). */
  private readonly parents = new Growable(Float64Array);
  /** Index into `sites` (the `created by` line without its parent id); -1 for none. */
  private readonly siteOf = new Growable(Int32Array);
  private readonly stateOf = new Growable(Int32Array);
  private readonly waits = new Growable(Float64Array);
  private readonly flags = new Growable(Uint8Array);
  private readonly lineStart = new Growable(Float64Array);
  private readonly lineEnd = new Growable(Float64Array);
  private readonly dumpIndex = new Growable(Float64Array);
  private readonly groupCol = new Growable(Int32Array);
  private readonly rare = new Map<number, UncommonFields>();
  private readonly sites: Omit<NonNullable<Goroutine["createdBy"]>, "parentId">[] = [];
  private readonly siteIndex = new Map<string, number>();
  private readonly stateNames: string[] = [];
  private readonly stateIndex = new Map<string, number>();
  /** Per-goroutine frame arguments and offsets where they differ from the group's first goroutine (`frameDiff`). */
  private readonly extras = new Map<number, string>();
  /** Goroutine ids sorted once (and again after more arrive), for finding a goroutine by id. */
  private idIndex: IdIndex | null = null;

  /** Position of a goroutine id in the dump (its first, if printed twice). */
  private positionOf(id: number): number | undefined {
    if (this.idIndex?.size !== this.ids.length)
      this.idIndex = IdIndex.of(this.ids.data.subarray(0, this.ids.length));
    const pos = this.idIndex.first(id);
    return pos < 0 ? undefined : pos;
  }
  private readonly groupIndex = new Map<string, number>();
  private readonly groups: ListGroup[] = [];
  private readonly frameIndex = new Map<string, number>();
  readonly frameTable: string[] = [];
  private tree: TreeResult | null = null;
  private members: { start: Int32Array; list: Int32Array } | null = null;
  private childrenOf: Map<number, number[]> | null = null;
  private findings: FindingView[] = [];

  /** Adds one goroutine as it streams in; cheap enough to run per item. */
  add(g: Goroutine): void {
    const pos = this.ids.length;
    const sig = goroutineSignature(g);
    let gi = this.groupIndex.get(sig);
    let sample: Goroutine;
    if (gi === undefined) {
      sample = this.keep(
        g,
        g.frames.map((f) => this.keepFrame(f)),
      );
    } else {
      // Same signature: same functions, files and lines as the group's first goroutine. Share its
      // frames and keep only what differs (arguments, offsets) as one string, which divides the
      // memory a big dump needs by the stack depth.
      sample = this.groups[gi]!.sample!;
      const diff = frameDiff(g, sample);
      if (diff !== undefined) this.extras.set(pos, diff);
    }
    if (gi === undefined) {
      gi = this.groups.length;
      this.groupIndex.set(sig, gi);
      const frames: number[] = [];
      let e = 0;
      for (let i = 0; i < g.frames.length; i++) {
        while (e < g.elided.length && g.elided[e]!.index === i) {
          frames.push(-1);
          e++;
        }
        const f = g.frames[i]!;
        const key = `${f.fn.full}\t${f.file}:${f.line}`;
        let fi = this.frameIndex.get(key);
        if (fi === undefined) {
          fi = this.frameTable.length;
          const flatKey = this.str(key);
          this.frameTable.push(flatKey);
          this.frameIndex.set(flatKey, fi);
        }
        frames.push(fi);
      }
      this.groups.push({
        index: gi,
        sample,
        stateClass: g.stateClass,
        frames,
        creator: creatorText(g),
        count: 0,
        states: {},
        waitMin: Number.POSITIVE_INFINITY,
        waitMax: 0,
      });
    }
    this.push(g, gi, sample);
    const acc = this.groups[gi]!;
    acc.count++;
    acc.states[g.state] = (acc.states[g.state] ?? 0) + 1;
    acc.waitMin = Math.min(acc.waitMin, g.waitMinutes);
    acc.waitMax = Math.max(acc.waitMax, g.waitMinutes);
  }

  /** Appends a goroutine's own fields to the columns (its stack is its group's). */
  private push(g: Goroutine, gi: number, sample: Goroutine): void {
    const pos = this.ids.length;
    this.ids.push(g.id);
    this.groupCol.push(gi);
    const c = g.createdBy;
    this.parents.push(c?.parentId ?? Number.NaN);
    if (c) {
      const key = `${c.fn.full}\u0000${c.file}\u0000${c.line}\u0000${c.offset ?? "\u0001"}\u0000${c.indent ?? "\u0001"}`;
      let si = this.siteIndex.get(key);
      if (si === undefined) {
        si = this.sites.length;
        this.sites.push({
          fn: c.fn,
          file: this.str(c.file),
          line: c.line,
          offset: c.offset === undefined ? undefined : this.str(c.offset),
          indent: c.indent === undefined ? undefined : this.str(c.indent),
        });
        this.siteIndex.set(this.str(key), si);
      }
      this.siteOf.push(si);
    } else this.siteOf.push(-1);
    let st = this.stateIndex.get(g.state);
    if (st === undefined) {
      st = this.stateNames.length;
      this.stateNames.push(this.str(g.state));
      this.stateIndex.set(this.stateNames[st]!, st);
    }
    this.stateOf.push(st);
    this.waits.push(g.waitMinutes);
    this.flags.push(
      (g.lockedToThread ? LOCKED : 0) |
        (g.leaked ? LEAKED : 0) |
        (g.scan ? SCAN : 0) |
        (g.durable ? DURABLE : 0) |
        (g.stackUnavailable ? NO_STACK : 0),
    );
    this.lineStart.push(g.lines.start);
    this.lineEnd.push(g.lines.end);
    this.dumpIndex.push(g.dumpIndex);
    let r: UncommonFields | undefined;
    const rare = (): UncommonFields => {
      if (!r) this.rare.set(pos, (r = {}));
      return r;
    };
    if (g.idText !== undefined) rare().idText = this.str(g.idText);
    if (g.synctest) rare().synctest = g.synctest;
    if (g.labels)
      rare().labels = Object.fromEntries(
        Object.entries(g.labels).map(([k, v]) => [this.str(k), this.str(v)]),
      );
    if (g.labelsRaw) rare().labelsRaw = { position: g.labelsRaw.position, text: this.str(g.labelsRaw.text) };
    if (g.gp !== undefined) rare().gp = this.str(g.gp);
    if (g.m !== undefined) rare().m = this.str(g.m);
    if (g.mp !== undefined) rare().mp = this.str(g.mp);
    if (g.extraState) rare().extraState = g.extraState.map((x) => this.str(x));
    if (g.elided.length > 0 && !sameElisions(g.elided, sample.elided)) rare().elided = g.elided;
    if (g.ancestors.length > 0) rare().ancestors = g.ancestors;
  }

  /**
   * The goroutine at `pos` as a Goroutine object, made on demand (with its group's frames, as the
   * tree builder and leak analysis see it; `full` restores its own arguments).
   */
  at(pos: number): Goroutine {
    const gi = this.groupCol.data[pos]!;
    const acc = this.groups[gi]!;
    const sample = acc.sample!;
    const r = this.rare.get(pos);
    const f = this.flags.data[pos]!;
    const si = this.siteOf.data[pos]!;
    const p = this.parents.data[pos]!;
    const site = si >= 0 ? this.sites[si]! : undefined;
    return {
      kind: "goroutine",
      id: this.ids.data[pos]!,
      idText: r?.idText,
      state: this.stateNames[this.stateOf.data[pos]!]!,
      stateClass: sample.stateClass,
      waitMinutes: this.waits.data[pos]!,
      lockedToThread: (f & LOCKED) !== 0,
      leaked: (f & LEAKED) !== 0,
      scan: (f & SCAN) !== 0,
      durable: (f & DURABLE) !== 0,
      synctest: r?.synctest,
      labels: r?.labels,
      labelsRaw: r?.labelsRaw,
      gp: r?.gp,
      m: r?.m,
      mp: r?.mp,
      extraState: r?.extraState,
      frames: sample.frames,
      elided: r?.elided ?? sample.elided,
      stackUnavailable: (f & NO_STACK) !== 0,
      createdBy: site
        ? {
            fn: site.fn,
            parentId: Number.isNaN(p) ? undefined : p,
            file: site.file,
            line: site.line,
            offset: site.offset,
            indent: site.indent,
          }
        : undefined,
      ancestors: r?.ancestors ?? NONE,
      lines: { start: this.lineStart.data[pos]!, end: this.lineEnd.data[pos]! },
      dumpIndex: this.dumpIndex.data[pos]!,
    } as Goroutine;
  }

  /**
   * Every goroutine as a read-only array whose elements are made when read (see `at`): for the
   * tree builder and the leak analysis, which read each once, and for tests.
   */
  get goroutines(): readonly Goroutine[] {
    const n = this.ids.length;
    const at = (i: number) => this.at(i);
    return new Proxy([] as Goroutine[], {
      get(target, key, receiver) {
        if (key === "length") return n;
        if (typeof key === "string") {
          const i = Number(key);
          if (Number.isInteger(i) && i >= 0 && String(i) === key) return i < n ? at(i) : undefined;
        }
        return Reflect.get(target, key, receiver);
      },
      has(target, key) {
        if (typeof key === "string") {
          const i = Number(key);
          if (Number.isInteger(i) && String(i) === key) return i >= 0 && i < n;
        }
        return Reflect.has(target, key);
      },
    });
  }

  get size(): number {
    return this.ids.length;
  }

  /** Goroutines counted by debug=1 profile groups. */
  profileTotal = 0;

  /**
   * A debug=1 group (`N @ pcs` with its frames): a row of the list, with no goroutine behind it
   * (such profiles print no ids, states or creators, so there is no tree to draw from them).
   */
  addProfileGroup(gr: GoroutineGroup): void {
    const frames: number[] = [];
    for (const f of gr.frames) {
      const key = this.str(`${f.fn?.full ?? `? ${f.pc}`}\t${f.file ?? "?"}:${f.line ?? 0}`);
      let fi = this.frameIndex.get(key);
      if (fi === undefined) {
        fi = this.frameTable.length;
        this.frameTable.push(key);
        this.frameIndex.set(key, fi);
      }
      frames.push(fi);
    }
    this.profileTotal += gr.count;
    this.groups.push({
      index: this.groups.length,
      sample: null,
      stateClass: "unknown",
      labels: gr.labels,
      frames,
      creator: "",
      count: gr.count,
      states: { "(debug=1: no state)": gr.count },
      waitMin: 0,
      waitMax: 0,
    });
  }

  private readonly strings = new Map<string, string>();

  /**
   * One flat copy per distinct string. Strings cut from a parser's input piece share that piece's
   * memory (V8 sliced strings): keeping one state or file name would keep a megabyte of text alive.
   */
  private str(x: string): string {
    let v = this.strings.get(x);
    if (v === undefined) {
      v = x.length < 13 ? x : ` ${x}`.slice(1);
      this.strings.set(v, v);
    }
    return v;
  }

  private keepFrame(f: Frame): Frame {
    return {
      ...f,
      args: f.args.length < 13 ? f.args : ` ${f.args}`.slice(1),
      file: this.str(f.file),
      ...(f.offset !== undefined ? { offset: this.str(f.offset) } : {}),
    };
  }

  /**
   * The goroutine as kept: the given frames, flat strings, and one fixed object shape for all
   * (spreading optional fields in gives objects of many shapes, which V8 stores far less compactly).
   */
  private keep(g: Goroutine, frames: readonly Frame[]): Goroutine {
    const c = g.createdBy;
    return {
      kind: "goroutine",
      id: g.id,
      idText: g.idText === undefined ? undefined : this.str(g.idText),
      state: this.str(g.state),
      stateClass: g.stateClass,
      waitMinutes: g.waitMinutes,
      lockedToThread: g.lockedToThread,
      leaked: g.leaked,
      scan: g.scan,
      durable: g.durable,
      synctest: g.synctest,
      labels: g.labels
        ? Object.fromEntries(Object.entries(g.labels).map(([k, v]) => [this.str(k), this.str(v)]))
        : undefined,
      labelsRaw: g.labelsRaw
        ? { position: g.labelsRaw.position, text: this.str(g.labelsRaw.text) }
        : undefined,
      gp: g.gp === undefined ? undefined : this.str(g.gp),
      m: g.m === undefined ? undefined : this.str(g.m),
      mp: g.mp === undefined ? undefined : this.str(g.mp),
      extraState: g.extraState?.map((x) => this.str(x)),
      frames,
      elided: g.elided.length === 0 ? NONE : g.elided,
      stackUnavailable: g.stackUnavailable,
      createdBy: c
        ? {
            fn: c.fn,
            parentId: c.parentId,
            file: this.str(c.file),
            line: c.line,
            offset: c.offset === undefined ? undefined : this.str(c.offset),
            indent: c.indent,
          }
        : undefined,
      ancestors: g.ancestors.length === 0 ? NONE : g.ancestors,
      lines: g.lines,
      dumpIndex: g.dumpIndex,
    } as Goroutine;
  }

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

  private subject(pos: number): GoroutineSubject {
    const acc = this.groups[this.groupCol.data[pos]!]!;
    const sample = acc.sample!;
    if (acc.funcsText === undefined) {
      acc.funcsText = sample.frames.map((f) => f.fn.full.toLowerCase()).join("\n");
      acc.filesText = sample.frames.map((f) => `${f.file}:${f.line}`.toLowerCase()).join("\n");
    }
    const f = this.flags.data[pos]!;
    return {
      id: this.ids.data[pos]!,
      state: this.stateNames[this.stateOf.data[pos]!]!,
      stateClass: sample.stateClass,
      waitMinutes: this.waits.data[pos]!,
      creatorText: acc.creator.toLowerCase(),
      funcsText: acc.funcsText,
      filesText: acc.filesText ?? "",
      labels: this.rare.get(pos)?.labels,
      leaked: (f & LEAKED) !== 0,
      lockedToThread: (f & LOCKED) !== 0,
    };
  }

  filter(query: string): FilterResult {
    const f = compileFilter(parseFilter(query));
    const nodes = this.tree?.nodes ?? [];
    const nodeOf = this.tree?.nodeOf;
    const nodeMatched = new Float64Array(nodes.length);
    const groupMatched = new Array<number>(this.groups.length).fill(0);
    for (let pos = 0; pos < this.ids.length; pos++) {
      if (f.goroutine !== null && !f.goroutine(this.subject(pos))) continue;
      groupMatched[this.groupCol.data[pos]!]!++;
      const ni = nodeOf ? nodeOf[pos]! : -1;
      if (ni >= 0) nodeMatched[ni]!++;
    }
    let profileMatched = 0;
    for (const g of this.groups) {
      if (g.sample !== null) continue;
      // A profile group stands for `count` goroutines that share everything the filter can see.
      if (f.goroutine === null || f.goroutine(this.profileSubject(g))) groupMatched[g.index] = g.count;
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
      for (const g of this.groups) {
        const pos = g.sample ? this.positionOf(g.sample.id) : undefined;
        const ni = pos !== undefined && nodeOf ? nodeOf[pos]! : -1;
        const orphan = ni >= 0 ? nodes[ni]!.orphan : false;
        if (!f.node({ count: g.count, severity: g.severity, ghost: false, orphan }))
          groupMatched[g.index] = 0;
      }
    }
    for (const g of this.groups) if (g.sample === null) profileMatched += groupMatched[g.index] ?? 0;
    return { nodes: out, groups: groupMatched, matched: matched + profileMatched };
  }

  private profileSubject(g: ListGroup): GoroutineSubject {
    if (g.funcsText === undefined) {
      const fr = g.frames.map((i) => this.frameTable[i] ?? "");
      g.funcsText = fr.map((t) => t.slice(0, t.indexOf("\t")).toLowerCase()).join("\n");
      g.filesText = fr.map((t) => t.slice(t.indexOf("\t") + 1).toLowerCase()).join("\n");
    }
    return {
      id: -1,
      state: "",
      stateClass: g.stateClass,
      waitMinutes: 0,
      creatorText: "",
      funcsText: g.funcsText,
      filesText: g.filesText ?? "",
      labels: g.labels,
      leaked: false,
      lockedToThread: false,
    };
  }

  search(text: string, limit: number): SearchHit[] {
    const t = text.trim().replace(/^#/, "");
    const nodes = this.tree?.nodes ?? [];
    if (/^\d+$/.test(t)) {
      const pos = this.positionOf(Number(t));
      if (pos !== undefined && this.tree) {
        const ni = this.tree.nodeOf[pos]!;
        if (ni >= 0) return [{ nodeId: nodes[ni]!.id, matched: 1, goroutineId: Number(t) }];
      }
    }
    const r = this.filter(t);
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

  private member(pos: number): MemberView {
    return {
      id: this.ids.data[pos]!,
      state: this.stateNames[this.stateOf.data[pos]!]!,
      stateClass: this.groups[this.groupCol.data[pos]!]!.stateClass,
      waitMinutes: this.waits.data[pos]!,
    };
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

  /** The goroutine with its own frame arguments and offsets restored. */
  private full(pos: number): Goroutine {
    const g = this.at(pos);
    const ex = this.extras.get(pos);
    if (ex === undefined) return g;
    return { ...g, frames: patchFrames(g.frames, ex) };
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
