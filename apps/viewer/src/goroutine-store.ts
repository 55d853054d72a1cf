// The worker's copy of a dump's goroutines: columns by position in the dump, rows of the list by stack.
import type { Severity } from "@gosleuth/leaks";
import type { Frame, Goroutine, GoroutineGroup } from "@gosleuth/model";
import type { GoroutineSubject } from "@gosleuth/query";
import { goroutineSignature, IdIndex } from "@gosleuth/spawn-graph";
import { Growable } from "@gosleuth/spawn-graph/internal";
import { frameDiff, NONE, patchFrames, sameElisions } from "./frames.ts";
import type { MemberView } from "./protocol.ts";

/** A row of the list: goroutines sharing one stack signature (or one debug=1 profile group). */
export interface ListGroup {
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

export class GoroutineStore {
  /**
   * Every goroutine, by position in the dump, kept as columns (numbers in typed arrays, strings
   * interned, the stack once per group): a Goroutine object is only made when asked for (`at`).
   */
  protected readonly ids = new Growable(Float64Array);
  /** Parent goroutine id; NaN when `created by` prints none (or there is no `created by`). */
  protected readonly parents = new Growable(Float64Array);
  /** Index into `sites` (the `created by` line without its parent id); -1 for none. */
  protected readonly siteOf = new Growable(Int32Array);
  protected readonly stateOf = new Growable(Int32Array);
  protected readonly waits = new Growable(Float64Array);
  protected readonly flags = new Growable(Uint8Array);
  protected readonly lineStart = new Growable(Float64Array);
  protected readonly lineEnd = new Growable(Float64Array);
  protected readonly dumpIndex = new Growable(Float64Array);
  protected readonly groupCol = new Growable(Int32Array);
  protected readonly rare = new Map<number, UncommonFields>();
  protected readonly sites: Omit<NonNullable<Goroutine["createdBy"]>, "parentId">[] = [];
  protected readonly siteIndex = new Map<string, number>();
  protected readonly stateNames: string[] = [];
  protected readonly stateIndex = new Map<string, number>();
  /** Per-goroutine frame arguments and offsets where they differ from the group's first goroutine (`frameDiff`). */
  protected readonly extras = new Map<number, string>();
  /** Goroutine ids sorted once (and again after more arrive), for finding a goroutine by id. */
  protected idIndex: IdIndex | null = null;

  /** Position of a goroutine id in the dump (its first, if printed twice). */
  positionOf(id: number): number | undefined {
    if (this.idIndex?.size !== this.ids.length)
      this.idIndex = IdIndex.of(this.ids.data.subarray(0, this.ids.length));
    const pos = this.idIndex.first(id);
    return pos < 0 ? undefined : pos;
  }
  protected readonly groupIndex = new Map<string, number>();
  /** The rows of the list, in the order their first goroutine arrived. */
  readonly groups: ListGroup[] = [];
  protected readonly frameIndex = new Map<string, number>();
  readonly frameTable: string[] = [];

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

  /** The list row of the goroutine at `pos`. */
  groupAt(pos: number): ListGroup {
    return this.groups[this.groupCol.data[pos]!]!;
  }

  /** What the filter language sees of the goroutine at `pos`. */
  subject(pos: number): GoroutineSubject {
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

  /** What the filter language sees of a debug=1 profile group. */
  profileSubject(g: ListGroup): GoroutineSubject {
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

  protected member(pos: number): MemberView {
    return {
      id: this.ids.data[pos]!,
      state: this.stateNames[this.stateOf.data[pos]!]!,
      stateClass: this.groups[this.groupCol.data[pos]!]!.stateClass,
      waitMinutes: this.waits.data[pos]!,
    };
  }

  /** The goroutine with its own frame arguments and offsets restored. */
  protected full(pos: number): Goroutine {
    const g = this.at(pos);
    const ex = this.extras.get(pos);
    if (ex === undefined) return g;
    return { ...g, frames: patchFrames(g.frames, ex) };
  }
}
