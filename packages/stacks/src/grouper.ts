// Goroutines grouped by stack while a dump streams: one pass, nothing kept of a goroutine but its id and
// what it adds to its group, foldable across threads (each thread groups its byte range; the partials merge).
//
// How this grouping relates to leaks' (packages/leaks): at similarity `any` a group is exactly a leaks
// group, signature (functions, files, lines, elisions, state class) plus creator site, through the same
// interners. `pointers` (the default) and `exact` only split those groups further by argument values
// (`pointers`: values below 8 MiB, which are lengths, flags and descriptors, must agree; addresses may
// differ; `exact`: every argument must agree). So every `stacks` group lies inside one leaks group, and
// the three levels nest: exact groups ⊆ pointers groups ⊆ any groups = leaks groups. The creator site is
// part of the key because the same stack started from two places is two different kinds of goroutine
// (a per-request worker and a start-up one) for a reader and for leak scoring alike.
import type { Elision, Frame, Goroutine, GoroutineGroup, StateClass, StreamItem } from "@gosleuth/model";
import { type CompiledFilter, compileFilter, type GoroutineSubject, parseFilter } from "@gosleuth/query";
import { type CreatorSite, SignatureInterner, SiteInterner } from "@gosleuth/spawn-graph/internal";
import {
  argsKey,
  flat,
  type MergedArgs,
  mergeArgs,
  mergeMerged,
  newMergedArgs,
  type Similarity,
} from "./args.ts";

/** Distinct parent ids kept per group; beyond it the count says "at least". */
const PARENT_CAP = 10_000;
/** Distinct `key=value` labels kept per group. */
const LABEL_CAP = 50;
/** Running goroutines remembered (for a signal dump: which one the signal interrupted). */
const RUNNING_CAP = 20;

export interface GroupFrame {
  function: string;
  pkg: string;
  file: string;
  line: number;
  inlined: boolean;
  args: MergedArgs;
}

/** One group as plain data (what a thread sends, and what reports read). */
export interface GroupData {
  /** Stable text key: signature, creator site and the arguments as the similarity level counts them. */
  key: string;
  stateClass: StateClass;
  /** Raw state text → goroutines. */
  states: Record<string, number>;
  count: number;
  /** Goroutine ids in input order (empty for debug=1 profile groups, which have none). */
  ids: number[];
  waitMin: number;
  waitMax: number;
  locked: number;
  leaked: number;
  /** `key=value` → goroutines carrying it (the first LABEL_CAP distinct ones). */
  labels: Record<string, number>;
  /** More distinct labels were seen than are kept. */
  labelsCapped: boolean;
  createdBy: CreatorSite | null;
  parents: number[];
  /** More distinct parents than PARENT_CAP were seen. */
  parentsCapped: boolean;
  frames: GroupFrame[];
  elided: Elision[];
  /** A debug=1/debug=0 profile record (count only, no goroutine ids or states). */
  profile: boolean;
}

/** What one part of a dump adds up to (a thread's byte range, or the whole input). */
export interface StacksPartial {
  goroutines: number;
  /** Goroutines the filter left out. */
  filtered: number;
  groups: GroupData[];
  /** The first goroutine of the first dump in the input (the crashing one of a panic). */
  first: Goroutine | null;
  running: { id: number; m?: string }[];
}

export interface GrouperOptions {
  similarity?: Similarity;
  /** A query in the filter language (`state:chan wait:>10 created:serveConn`); goroutine terms apply here. */
  filter?: string;
}

interface Acc extends GroupData {
  parentSet: Set<number>;
  labelCount: number;
  /** Local groups: the argument-key number of each frame. */
  argKey?: Int32Array;
}

/** Groups goroutines by stack at one similarity level, streaming. */
export class StackGrouper {
  readonly similarity: Similarity;
  goroutines = 0;
  filtered = 0;
  private first: Goroutine | null = null;
  private readonly running: { id: number; m?: string }[] = [];
  private readonly sigs = new SignatureInterner();
  private readonly sites = new SiteInterner();
  /**
   * Local groups: by signature id, then site id, then a hash of the frames' argument-key numbers (the
   * candidates are checked number by number, so a hash collision never merges two groups).
   */
  private readonly local = new Map<number, Map<number, Map<number, Acc[]>>>();
  private scratch = new Int32Array(256);
  /** Groups merged from partials, by full key. */
  private readonly merged = new Map<string, Acc>();
  private readonly order: Acc[] = [];
  private readonly localKey = new Map<Acc, [number, number]>();
  /** Argument keys (as the similarity level counts them) numbered, and each frame's number. */
  private readonly argIds = new Map<string, number>();
  // Weak: a frame the parser did not intern must not outlive its goroutine (nor keep its piece's text).
  private readonly frameArgId = new WeakMap<Frame, number>();
  private readonly pred: CompiledFilter["goroutine"];

  constructor(o: GrouperOptions = {}) {
    this.similarity = o.similarity ?? "pointers";
    this.pred = o.filter ? compileFilter(parseFilter(o.filter)).goroutine : null;
  }

  add(batch: readonly StreamItem[]): void {
    for (const item of batch) {
      if (item.kind === "group") this.addProfile(item);
      else this.addGoroutine(item);
    }
  }

  private argId(f: Frame): number {
    let id = this.frameArgId.get(f);
    if (id === undefined) {
      const k = argsKey(f.args, this.similarity);
      id = this.argIds.get(k);
      if (id === undefined) {
        id = this.argIds.size;
        this.argIds.set(flat(k), id);
      }
      this.frameArgId.set(f, id);
    }
    return id;
  }

  private addGoroutine(g: Goroutine): void {
    if (this.first === null && g.dumpIndex === 0) this.first = g;
    if (g.stateClass === "running" && this.running.length < RUNNING_CAP) {
      this.running.push(g.m === undefined ? { id: g.id } : { id: g.id, m: g.m });
    }
    if (this.pred && !this.pred(subjectOf(g))) {
      this.filtered++;
      return;
    }
    this.goroutines++;
    const sig = this.sigs.id(g);
    const site = this.sites.id(g.createdBy);
    let bySite = this.local.get(sig);
    if (bySite === undefined) this.local.set(sig, (bySite = new Map()));
    let byHash = bySite.get(site);
    if (byHash === undefined) bySite.set(site, (byHash = new Map()));
    const frames = g.frames;
    const n = this.similarity === "any" ? 0 : frames.length;
    if (n > this.scratch.length) this.scratch = new Int32Array(n * 2);
    const ids = this.scratch;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const id = this.argId(frames[i]!);
      ids[i] = id;
      h = Math.imul(h ^ id, 0x01000193);
    }
    let bucket = byHash.get(h);
    if (bucket === undefined) byHash.set(h, (bucket = []));
    let a: Acc | undefined;
    for (const c of bucket) {
      const k = c.argKey!;
      if (k.length !== n) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) same = k[i] === ids[i];
      if (same) {
        a = c;
        break;
      }
    }
    if (a === undefined) {
      a = newAcc(g, this.sites.sites[site] ?? null);
      a.argKey = ids.slice(0, n);
      bucket.push(a);
      this.order.push(a);
      this.localKey.set(a, [sig, site]);
    } else {
      for (let i = 0; i < g.frames.length; i++) {
        const f = g.frames[i]!;
        const m = a.frames[i]!.args;
        if (f.args !== m.text) mergeArgs(m, f.args);
      }
    }
    a.count++;
    a.ids.push(g.id);
    a.states[g.state] = (a.states[g.state] ?? 0) + 1;
    if (g.waitMinutes < a.waitMin) a.waitMin = g.waitMinutes;
    if (g.waitMinutes > a.waitMax) a.waitMax = g.waitMinutes;
    if (g.lockedToThread) a.locked++;
    if (g.leaked) a.leaked++;
    if (g.labels) {
      for (const k in g.labels) {
        const kv = `${k}=${g.labels[k]}`;
        const c = a.labels[kv];
        if (c !== undefined) a.labels[kv] = c + 1;
        else if (a.labelCount < LABEL_CAP) {
          a.labels[flat(kv)] = 1;
          a.labelCount++;
        } else a.labelsCapped = true;
      }
    }
    const p = g.createdBy?.parentId;
    if (p !== undefined && !a.parentSet.has(p)) {
      if (a.parentSet.size < PARENT_CAP) a.parentSet.add(p);
      else a.parentsCapped = true;
    }
  }

  private addProfile(r: GoroutineGroup): void {
    this.goroutines += r.count;
    let key = "profile";
    for (const f of r.frames) key += `\n${f.fn?.full ?? f.pc} ${f.file ?? "?"}:${f.line ?? 0}`;
    let a = this.merged.get(key);
    if (a === undefined) {
      a = {
        key,
        stateClass: "unknown",
        states: {},
        count: 0,
        ids: [],
        waitMin: 0,
        waitMax: 0,
        locked: 0,
        leaked: 0,
        labels: {},
        labelsCapped: false,
        labelCount: 0,
        createdBy: null,
        parents: [],
        parentsCapped: false,
        parentSet: new Set(),
        frames: r.frames.map((f) => ({
          function: f.fn?.full ?? f.pc,
          pkg: f.fn?.pkg ?? "",
          file: f.file ?? "?",
          line: f.line ?? 0,
          inlined: false,
          args: newMergedArgs(""),
        })),
        elided: [],
        profile: true,
      };
      this.merged.set(key, a);
      this.order.push(a);
    }
    a.count += r.count;
    if (r.labels) {
      for (const k in r.labels) {
        const kv = `${k}=${r.labels[k]}`;
        a.labels[kv] = (a.labels[kv] ?? 0) + r.count;
      }
    }
  }

  /** The full key of a local group (built once per group, not per goroutine). */
  private fullKey(a: Acc): string {
    if (a.key !== "") return a.key;
    const [sig, site] = this.localKey.get(a)!;
    const s = this.sites.sites[site];
    let ak = "";
    if (this.similarity !== "any")
      for (const f of a.frames) ak += `${argsKey(f.args.text, this.similarity)}\n`;
    a.key = `${this.sigs.text(sig)}\n@${s ? `${s.function} ${s.file}:${s.line}` : "root"}\n#${ak}`;
    return a.key;
  }

  /** This part as plain data (the grouper is not used afterwards). */
  partial(): StacksPartial {
    return {
      goroutines: this.goroutines,
      filtered: this.filtered,
      groups: this.order.map((a) => this.export(a)),
      first: this.first,
      running: this.running,
    };
  }

  private export(a: Acc): GroupData {
    this.fullKey(a);
    const { parentSet, labelCount, argKey, ...rest } = a;
    return { ...rest, parents: [...parentSet] };
  }

  /** Folds a later part in (parts in input order). */
  merge(p: StacksPartial): void {
    this.goroutines += p.goroutines;
    this.filtered += p.filtered;
    this.first ??= p.first;
    for (const r of p.running) if (this.running.length < RUNNING_CAP) this.running.push(r);
    // Local groups get their full keys, so a partial's group finds its match among them.
    for (const a of this.order) if (a.key === "") this.merged.set(this.fullKey(a), a);
    for (const g of p.groups) {
      const a = this.merged.get(g.key);
      if (a === undefined) {
        const acc: Acc = { ...g, parentSet: new Set(g.parents), labelCount: Object.keys(g.labels).length };
        this.merged.set(g.key, acc);
        this.order.push(acc);
        continue;
      }
      mergeGroup(a, g);
    }
  }

  reserve(_n: number): void {}

  /** Everything seen, as one part. */
  result(): StacksPartial {
    return this.partial();
  }
}

function newAcc(g: Goroutine, site: CreatorSite | null): Acc {
  return {
    key: "",
    stateClass: g.stateClass,
    states: {},
    count: 0,
    ids: [],
    waitMin: Number.POSITIVE_INFINITY,
    waitMax: 0,
    locked: 0,
    leaked: 0,
    labels: {},
    labelsCapped: false,
    labelCount: 0,
    createdBy: site,
    parents: [],
    parentsCapped: false,
    parentSet: new Set(),
    frames: g.frames.map((f) => ({
      function: f.fn.full,
      pkg: f.fn.pkg,
      file: flat(f.file),
      line: f.line,
      inlined: f.inlined,
      args: newMergedArgs(f.args),
    })),
    elided: [...g.elided],
    profile: false,
  };
}

function mergeGroup(a: Acc, g: GroupData): void {
  a.count += g.count;
  for (const id of g.ids) a.ids.push(id);
  for (const [k, v] of Object.entries(g.states)) a.states[k] = (a.states[k] ?? 0) + v;
  a.waitMin = Math.min(a.waitMin, g.waitMin);
  a.waitMax = Math.max(a.waitMax, g.waitMax);
  a.locked += g.locked;
  a.leaked += g.leaked;
  for (const [k, v] of Object.entries(g.labels)) {
    if (a.labels[k] !== undefined || Object.keys(a.labels).length < LABEL_CAP)
      a.labels[k] = (a.labels[k] ?? 0) + v;
  }
  for (const p of g.parents) {
    if (a.parentSet.has(p)) continue;
    if (a.parentSet.size < PARENT_CAP) a.parentSet.add(p);
    else a.parentsCapped = true;
  }
  if (g.parentsCapped) a.parentsCapped = true;
  for (let i = 0; i < a.frames.length && i < g.frames.length; i++)
    mergeMerged(a.frames[i]!.args, g.frames[i]!.args);
}

/** What the filter language's goroutine terms look at. */
function subjectOf(g: Goroutine): GoroutineSubject {
  const c = g.createdBy;
  const s: GoroutineSubject = {
    id: g.id,
    state: g.state,
    stateClass: g.stateClass,
    waitMinutes: g.waitMinutes,
    creatorText: c ? `${c.fn.full} ${c.file}:${c.line}`.toLowerCase() : "",
    funcsText: g.frames
      .map((f) => f.fn.full)
      .join("\n")
      .toLowerCase(),
    filesText: g.frames
      .map((f) => `${f.file}:${f.line}`)
      .join("\n")
      .toLowerCase(),
    leaked: g.leaked,
    lockedToThread: g.lockedToThread,
  };
  return g.labels ? { ...s, labels: g.labels } : s;
}
