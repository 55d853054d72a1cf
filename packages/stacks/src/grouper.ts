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
import { argsKey, type MergedArgs, mergeArgs, newMergedArgs, type Similarity, unsliced } from "./args.ts";

/** Distinct parent ids kept per group; beyond it the count says "at least". */
const PARENT_CAP = 10_000;
/** Distinct `key=value` labels kept per group. */
const LABEL_CAP = 50;
/**
 * Argument variants kept apart per signature and creator site. Where every goroutine's arguments differ
 * (`exact` on a busy server: a group per goroutine), the rest fold into one group whose differing
 * positions show as `*`, so memory follows the stacks, not the goroutines. Levels nest below this bound.
 */
const MAX_VARIANTS = 256;
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
  /** Stable text key: signature, creator site and the arguments as the similarity level counts them (filled by `result({ keys: true })`, else empty). */
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

/** Everything the grouper saw, ready for a report. */
export interface StacksResult {
  goroutines: number;
  /** Goroutines the filter left out. */
  filtered: number;
  groups: GroupData[];
  /** The first goroutine of the first dump in the input (the crashing one of a panic). */
  first: Goroutine | null;
  running: { id: number; m?: string }[];
}

/**
 * A group as it travels between threads: its frames as numbers into the partial's string table (a group's
 * frames repeat the same names in every range; objects per frame made the copy between threads cost more
 * than the grouping).
 */
export interface WireGroup extends Omit<GroupData, "key" | "frames"> {
  /** FRAME_STRIDE numbers per frame: function, package, file (string indexes), line, inlined, arguments (index). */
  frames: Float64Array;
  /** Frames whose arguments differ within the group: [frame index, differing atom indexes, or null: all]. */
  diffs: [number, number[] | null][];
}

/** What one part of a dump adds up to (a thread's byte range, or the whole input), as plain data. */
export interface StacksPartial extends Omit<StacksResult, "groups"> {
  strings: string[];
  groups: WireGroup[];
}

const FRAME_STRIDE = 6;

export interface GrouperOptions {
  similarity?: Similarity;
  /** Counts only: no goroutine ids, parents or labels are kept (what `summary` needs for its largest groups). */
  countsOnly?: boolean;
  /** A query in the filter language (`state:chan wait:>10 created:serveConn`); goroutine terms apply here. */
  filter?: string;
}

interface SiteGroups {
  byHash: Map<number, Acc[]>;
  lastFrames: readonly Frame[] | null;
  lastAcc: Acc | null;
  /** Groups made for this signature and site (argument variants). */
  variants: number;
  /**
   * Past MAX_VARIANTS, further variants fold into one group per key of the next coarser level (`exact`
   * folds by `pointers` keys, `pointers` into one group), so the levels still nest.
   */
  overflow: Map<string, Acc> | null;
}

interface Acc extends GroupData {
  parentSet: Set<number>;
  labelCount: number;
  /** Local groups: the argument-key number of each frame. */
  argKey?: Int32Array;
  /** What identifies the group when parts merge (see StackGrouper.fillKey). */
  mergeKey?: Float64Array;
}

/** Groups goroutines by stack at one similarity level, streaming. */
export class StackGrouper {
  readonly similarity: Similarity;
  private readonly countsOnly: boolean;
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
  private readonly local = new Map<number, Map<number, SiteGroups>>();
  private scratch = new Int32Array(256);
  /** Groups merged from partials, by full key. */
  private readonly merged = new Map<string, Acc>();
  private readonly order: Acc[] = [];
  /** Argument keys (as the similarity level counts them) numbered, and each frame's number. */
  private readonly argIds = new Map<string, number>();
  // Weak: a frame the parser did not intern must not outlive its goroutine (nor keep its piece's text).
  private readonly frameArgId = new WeakMap<Frame, number>();
  private readonly pred: CompiledFilter["goroutine"];

  constructor(o: GrouperOptions = {}) {
    this.similarity = o.similarity ?? "pointers";
    this.countsOnly = o.countsOnly ?? false;
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
        this.argIds.set(unsliced(k), id);
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
    let at = bySite.get(site);
    if (at === undefined)
      bySite.set(
        site,
        (at = { byHash: new Map(), lastFrames: null, lastAcc: null, variants: 0, overflow: null }),
      );
    const frames = g.frames;
    // The parser shares frame objects between goroutines whose frames print alike: the same objects as
    // the last goroutine of this signature mean the same group and nothing to merge.
    const last = at.lastFrames;
    if (last !== null && at.lastAcc !== null && last.length === frames.length) {
      let same = true;
      for (let i = 0; i < frames.length && same; i++) same = frames[i] === last[i];
      if (same) {
        this.count(at.lastAcc, g);
        return;
      }
    }
    const byHash = at.byHash;
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
    let fold: string | null = null;
    if (a === undefined && at.variants >= MAX_VARIANTS) {
      fold = "";
      if (this.similarity === "exact") for (const f of frames) fold += `${argsKey(f.args, "pointers")}\n`;
      a = (at.overflow ??= new Map()).get(fold);
    }
    if (a === undefined) {
      a = newAcc(g, this.sites.sites[site] ?? null);
      a.argKey = ids.slice(0, n);
      if (fold === null) {
        at.variants++;
        bucket.push(a);
      } else at.overflow!.set(fold, a);
      this.order.push(a);
    } else if (!this.countsOnly) {
      for (let i = 0; i < g.frames.length; i++) {
        const f = g.frames[i]!;
        const m = a.frames[i]!.args;
        if (f.args !== m.text) mergeArgs(m, f.args);
      }
    }
    at.lastFrames = frames;
    at.lastAcc = a;
    this.count(a, g);
  }

  /** Adds a goroutine's id, state, wait, flags, labels and parent to its group. */
  private count(a: Acc, g: Goroutine): void {
    a.count++;
    if (g.waitMinutes < a.waitMin) a.waitMin = g.waitMinutes;
    if (g.waitMinutes > a.waitMax) a.waitMax = g.waitMinutes;
    if (this.countsOnly) {
      a.states[g.state] = (a.states[g.state] ?? 0) + 1;
      return;
    }
    a.ids.push(g.id);
    a.states[g.state] = (a.states[g.state] ?? 0) + 1;
    if (g.lockedToThread) a.locked++;
    if (g.leaked) a.leaked++;
    if (g.labels) {
      for (const k in g.labels) {
        const kv = `${k}=${g.labels[k]}`;
        const c = a.labels[kv];
        if (c !== undefined) a.labels[kv] = c + 1;
        else if (a.labelCount < LABEL_CAP) {
          a.labels[unsliced(kv)] = 1;
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

  /** This part as plain data (the grouper is not used afterwards). */
  partial(): StacksPartial {
    const strings: string[] = [];
    const index = new Map<string, number>();
    const idx = (x: string): number => {
      let i = index.get(x);
      if (i === undefined) {
        i = strings.length;
        strings.push(x);
        index.set(x, i);
      }
      return i;
    };
    const groups = this.order.map((a): WireGroup => {
      const { parentSet, labelCount, argKey, mergeKey, key, frames, ...rest } = a;
      const enc = new Float64Array(frames.length * FRAME_STRIDE);
      const diffs: [number, number[] | null][] = [];
      frames.forEach((f, i) => {
        const o = i * FRAME_STRIDE;
        enc[o] = idx(f.function);
        enc[o + 1] = idx(f.pkg);
        enc[o + 2] = idx(f.file);
        enc[o + 3] = f.line;
        enc[o + 4] = f.inlined ? 1 : 0;
        enc[o + 5] = idx(f.args.text);
        if (f.args.all) diffs.push([i, null]);
        else if (f.args.differ.length > 0) diffs.push([i, f.args.differ]);
      });
      return { ...rest, parents: [...parentSet], frames: enc, diffs };
    });
    return {
      goroutines: this.goroutines,
      filtered: this.filtered,
      first: this.first,
      running: this.running,
      strings,
      groups,
    };
  }

  // Merging: groups are matched by a short key of numbers (names numbered in `names`, arguments by
  // their key at the similarity level), built once per group and part.
  private readonly names = new Map<string, number>();
  private nameId(x: string): number {
    let i = this.names.get(x);
    if (i === undefined) {
      i = this.names.size;
      this.names.set(x, i);
    }
    return i;
  }
  private argKeyId(text: string): number {
    const k = argsKey(text, this.similarity);
    let id = this.argIds.get(k);
    if (id === undefined) {
      id = this.argIds.size;
      this.argIds.set(unsliced(k), id);
    }
    return id;
  }
  private head(a: Omit<GroupData, "frames" | "key">): string {
    const c = a.createdBy;
    return `${a.profile ? "profile" : a.stateClass}|${c ? `${c.function} ${c.file}:${c.line}` : ""}|${a.elided.map((e) => e.index).join(",")}|`;
  }
  /** Numbers that identify a group for merging (head, then function, file, line, argument key per frame). */
  private keyNums = new Float64Array(256);
  private readonly byMergeHash = new Map<number, Acc[]>();
  private readonly keyed = new Set<Acc>();
  /** Per stack (head and frame locations) on the merging side: variants kept apart, and the folded ones. */
  private readonly variants = new Map<string, { count: number; overflow: Map<string, Acc> }>();

  /** Fills keyNums[0..len) and returns [len, hash]. */
  private fillKey(
    head: string,
    frames: number,
    at: (i: number, out: Float64Array, o: number) => void,
  ): [number, number] {
    const len = 1 + frames * 4;
    if (len > this.keyNums.length) this.keyNums = new Float64Array(len * 2);
    const k = this.keyNums;
    k[0] = this.nameId(head);
    for (let i = 0; i < frames; i++) at(i, k, 1 + i * 4);
    let h = 0x811c9dc5;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ (k[i]! | 0), 0x01000193);
    return [len, h];
  }

  private findMerged(len: number, h: number): Acc | undefined {
    const k = this.keyNums;
    for (const a of this.byMergeHash.get(h) ?? []) {
      const m = a.mergeKey!;
      if (m.length !== len) continue;
      let same = true;
      for (let i = 0; i < len && same; i++) same = m[i] === k[i];
      if (same) return a;
    }
    return undefined;
  }

  private addMerged(a: Acc, len: number, h: number): void {
    a.mergeKey = this.keyNums.slice(0, len);
    let b = this.byMergeHash.get(h);
    if (b === undefined) this.byMergeHash.set(h, (b = []));
    b.push(a);
    this.keyed.add(a);
  }

  /** Folds a later part in (parts in input order). */
  merge(p: StacksPartial): void {
    this.goroutines += p.goroutines;
    this.filtered += p.filtered;
    this.first ??= p.first;
    for (const r of p.running) if (this.running.length < RUNNING_CAP) this.running.push(r);
    // Groups made here (the one-thread path, or profile records) join the merge index first.
    for (const a of this.order) {
      if (this.keyed.has(a)) continue;
      const [len, h] = this.fillKey(this.head(a), a.frames.length, (i, k, o) => {
        const f = a.frames[i]!;
        k[o] = this.nameId(f.function);
        k[o + 1] = this.nameId(f.file);
        k[o + 2] = f.line;
        k[o + 3] = this.argKeyId(f.args.text);
      });
      this.addMerged(a, len, h);
      let stack = `${this.keyNums[0]}`;
      for (let i = 1; i < len; i += 4)
        stack += `,${this.keyNums[i]},${this.keyNums[i + 1]},${this.keyNums[i + 2]}`;
      const v = this.variants.get(stack);
      if (v) v.count++;
      else this.variants.set(stack, { count: 1, overflow: new Map() });
    }
    // A part's string indexes, translated once per string.
    const name = new Float64Array(p.strings.length).fill(-1);
    const argKey = new Float64Array(p.strings.length).fill(-1);
    for (const g of p.groups) {
      const f = g.frames;
      const [len, h] = this.fillKey(this.head(g), f.length / FRAME_STRIDE, (i, k, o) => {
        const w = i * FRAME_STRIDE;
        const fn = f[w]!;
        const file = f[w + 2]!;
        const arg = f[w + 5]!;
        if (name[fn] === -1) name[fn] = this.nameId(p.strings[fn]!);
        if (name[file] === -1) name[file] = this.nameId(p.strings[file]!);
        if (argKey[arg] === -1) argKey[arg] = this.argKeyId(p.strings[arg]!);
        k[o] = name[fn]!;
        k[o + 1] = name[file]!;
        k[o + 2] = f[w + 3]!;
        k[o + 3] = argKey[arg]!;
      });
      let a = this.findMerged(len, h);
      if (a === undefined) {
        // The same bound on argument variants per stack as one thread keeps (MAX_VARIANTS), so a merge
        // folds past it as a single pass would.
        let stack = `${this.keyNums[0]}`;
        for (let i = 1; i < len; i += 4)
          stack += `,${this.keyNums[i]},${this.keyNums[i + 1]},${this.keyNums[i + 2]}`;
        let v = this.variants.get(stack);
        if (v === undefined) this.variants.set(stack, (v = { count: 0, overflow: new Map() }));
        let fold: string | null = null;
        if (v.count >= MAX_VARIANTS) {
          fold = "";
          if (this.similarity === "exact") {
            for (let o = 0; o < f.length; o += FRAME_STRIDE)
              fold += `${argsKey(p.strings[f[o + 5]!]!, "pointers")}\n`;
          }
          a = v.overflow.get(fold);
        }
        if (a === undefined) {
          a = this.decode(g, p.strings);
          this.addMerged(a, len, h);
          this.order.push(a);
          if (fold === null) v.count++;
          else v.overflow.set(fold, a);
          continue;
        }
      }
      mergeGroup(a, g, p.strings);
    }
  }

  private decode(g: WireGroup, strings: readonly string[]): Acc {
    const { frames: enc, diffs, ...rest } = g;
    const frames: GroupFrame[] = [];
    for (let o = 0; o < enc.length; o += FRAME_STRIDE) {
      frames.push({
        function: strings[enc[o]!]!,
        pkg: strings[enc[o + 1]!]!,
        file: strings[enc[o + 2]!]!,
        line: enc[o + 3]!,
        inlined: enc[o + 4] === 1,
        args: newMergedArgs(strings[enc[o + 5]!]!),
      });
    }
    for (const [i, d] of diffs) {
      const m = frames[i]!.args;
      if (d === null) m.all = true;
      else m.differ = [...d];
    }
    return {
      ...rest,
      key: "",
      frames,
      parentSet: new Set(g.parents),
      labelCount: Object.keys(g.labels).length,
    };
  }

  reserve(_n: number): void {}

  /**
   * Everything seen. `keys`: fill each group's readable key (signature, creator site, argument keys; for
   * tests and tools; reports do not need it, and it is long text per group).
   */
  result(o: { keys?: boolean } = {}): StacksResult {
    const groups = this.order.map((a): GroupData => {
      const { parentSet, labelCount, argKey, mergeKey, ...rest } = a;
      return { ...rest, key: o.keys ? this.readableKey(a) : "", parents: [...parentSet] };
    });
    return {
      goroutines: this.goroutines,
      filtered: this.filtered,
      first: this.first,
      running: this.running,
      groups,
    };
  }

  /**
   * `goroutineSignature`'s text (state class, then `function file:line` per frame, `...` for elisions), the
   * creator site and the argument keys: the text leaks' group keys are made of, plus the arguments.
   */
  private readableKey(a: Acc): string {
    let s = a.profile ? "profile" : a.stateClass;
    let e = 0;
    const el = a.elided;
    a.frames.forEach((f, i) => {
      while (e < el.length && el[e]!.index === i) {
        s += "\n...";
        e++;
      }
      s += `\n${f.function} ${f.file}:${f.line}`;
    });
    if (e < el.length) s += "\n...";
    const c = a.createdBy;
    let ak = "";
    if (this.similarity !== "any")
      for (const f of a.frames) ak += `${argsKey(f.args.text, this.similarity)}\n`;
    return `${s}\n@${c ? `${c.function} ${c.file}:${c.line}` : "root"}\n#${ak}`;
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
      file: unsliced(f.file),
      line: f.line,
      inlined: f.inlined,
      args: newMergedArgs(f.args),
    })),
    elided: [...g.elided],
    profile: false,
  };
}

function mergeGroup(a: Acc, g: WireGroup, strings: readonly string[]): void {
  a.count += g.count;
  for (const id of g.ids) a.ids.push(id);
  for (const [k, v] of Object.entries(g.states)) a.states[k] = (a.states[k] ?? 0) + v;
  a.waitMin = Math.min(a.waitMin, g.waitMin);
  a.waitMax = Math.max(a.waitMax, g.waitMax);
  a.locked += g.locked;
  a.leaked += g.leaked;
  for (const [k, v] of Object.entries(g.labels)) {
    const c = a.labels[k];
    if (c !== undefined) a.labels[k] = c + v;
    else if (a.labelCount < LABEL_CAP) {
      a.labels[k] = v;
      a.labelCount++;
    } else a.labelsCapped = true;
  }
  if (g.labelsCapped) a.labelsCapped = true;
  for (const p of g.parents) {
    if (a.parentSet.has(p)) continue;
    if (a.parentSet.size < PARENT_CAP) a.parentSet.add(p);
    else a.parentsCapped = true;
  }
  if (g.parentsCapped) a.parentsCapped = true;
  for (let i = 0; i < a.frames.length; i++) {
    const m = a.frames[i]!.args;
    const text = strings[g.frames[i * FRAME_STRIDE + 5]!]!;
    if (text !== m.text) mergeArgs(m, text);
  }
  for (const [i, d] of g.diffs) {
    const m = a.frames[i]!.args;
    if (d === null) m.all = true;
    else for (const x of d) if (!m.differ.includes(x)) m.differ.push(x);
  }
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
