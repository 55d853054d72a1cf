// Numbers for signatures and creator sites, so millions of goroutines are grouped without building their signature strings.
import type { CreatedBy, Frame, FunctionName, Goroutine, StateClass } from "@gosleuth/model";
import { STATE_CLASSES } from "@gosleuth/model";

const CLASS_INDEX = new Map<StateClass, number>(STATE_CLASSES.map((c, i) => [c, i]));

interface RecentStack {
  cls: number;
  frames: readonly Frame[];
  elided: Goroutine["elided"];
  id: number;
}
const RECENT_PER_START = 16;
/**
 * Start functions whose recent stacks are kept before the cache starts over: each list holds its
 * stacks' frames alive, and where every goroutine starts in a function of its own (100,000 on the
 * distinct-stacks dump) a list per start function kept every stack's frames to the end.
 */
const RECENT_STARTS = 4_096;

/** Whether two stacks have their elision markers at the same places. */
function sameElisions(a: Goroutine["elided"], b: Goroutine["elided"]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.index !== b[i]!.index) return false;
  return true;
}

/** Whether two stacks have their frames at the same locations (function, file, line). */
function sameLocations(a: readonly Frame[], b: readonly Frame[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const f = a[i]!;
    const l = b[i]!;
    if (f !== l && (f.fn !== l.fn || f.line !== l.line || f.file !== l.file)) return false;
  }
  return true;
}

/**
 * A flat copy of a text built from pieces. A template string is a tree of concatenations, 32 bytes a
 * node (four for a frame's location, ten for a leak finding's reason), each piece kept with it; the copy
 * is one string (behind one slice: V8 makes slices of 13 characters or more). For texts kept to the end.
 */
export function flatCopy(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** Strings numbered in order of first sight: `id(name)` gives the same number for the same text. */
export class NameTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** `id` of a text built from pieces: a new one is kept as a flat copy (see flatCopy). */
  idOfBuilt(name: string): number {
    const id = this.ids.get(name);
    return id !== undefined ? id : this.id(flatCopy(name));
  }
}

/** Frames remembered by object identity before the cache starts over. */
const FRAME_CACHE_CAP = 65_536;
/**
 * The cap after a cache of frames that mostly missed: where arguments differ in every goroutine no frame
 * object comes back (691 hits in 269,028 lookups on the 216k unique-arguments dump), and a full cache only
 * carried its frames into the old generation (`summary` 1.7% slower and 13 MB bigger than with no cache
 * there). Back to FRAME_CACHE_CAP after a cache of this size that hit half the time.
 */
const MISSING_CAP = 4_096;

interface TrieNode {
  id: number;
  /** Children by location id; made when the first child is (most nodes of a big trie are leaves). */
  next: Map<number, TrieNode> | undefined;
}

/**
 * Interns stack signatures (functions + files + lines + state class, as `goroutineSignature`) to
 * small integers. Frames map to location ids by object identity (the parser shares frame objects),
 * and stacks walk a trie of location ids, so a goroutine costs a few map lookups per frame.
 */
export class SignatureInterner {
  // A cache, emptied when it grows past FRAME_CACHE_CAP: it holds its frames (and their argument text)
  // alive, and where every argument is unique no frame object comes back, so a large cap only keeps
  // the dump's frames in memory.
  private readonly frameLoc = new Map<Frame, number>();
  private readonly locations = new NameTable();
  private readonly roots = new Map<number, TrieNode>();
  private readonly sigPath: { parent: number; loc: number; cls: number }[] = [];
  private readonly sigStrings: (string | undefined)[] = [];
  private readonly frameCacheCap: number;
  /** Start functions with recent stacks kept before that cache starts over (see RECENT_STARTS). */
  private readonly recentStarts: number;
  private readonly missingCap: number;
  // The frame cache's size before it starts over (see MISSING_CAP), and its lookups and hits since.
  private cap: number;
  private lookups = 0;
  private hits = 0;

  /**
   * `frameCacheCap`: frames remembered before the frame cache starts over; `missingCap`: the same after a
   * cache that mostly missed; `recentStarts`: start functions whose recent stacks are kept (tests make
   * them small).
   */
  constructor(o: { frameCacheCap?: number; missingCap?: number; recentStarts?: number } = {}) {
    this.recentStarts = o.recentStarts ?? RECENT_STARTS;
    this.frameCacheCap = o.frameCacheCap ?? FRAME_CACHE_CAP;
    this.missingCap = Math.min(o.missingCap ?? MISSING_CAP, this.frameCacheCap);
    this.cap = this.frameCacheCap;
  }

  private loc(f: Frame): number {
    this.lookups++;
    let id = this.frameLoc.get(f);
    if (id === undefined) {
      id = this.locations.idOfBuilt(`${f.fn.full} ${f.file}:${f.line}`);
      if (this.frameLoc.size >= this.cap) this.startOver();
      this.frameLoc.set(f, id);
    } else this.hits++;
    return id;
  }

  /** Empties the frame cache, its next size chosen by how often this one hit. */
  private startOver(): void {
    this.cap = this.hits * 2 < this.lookups ? this.missingCap : this.frameCacheCap;
    this.frameLoc.clear();
    this.lookups = 0;
    this.hits = 0;
  }

  private readonly nodes: TrieNode[] = [];

  private child(node: TrieNode | undefined, key: number, cls: number, parent: number): TrieNode {
    const map = node ? (node.next ??= new Map()) : this.roots;
    let n = map.get(key);
    if (n === undefined) {
      n = { id: this.sigPath.length, next: undefined };
      this.sigPath.push({ parent, loc: key, cls });
      this.nodes.push(n);
      map.set(key, n);
    }
    return n;
  }

  /** Everything needed to re-intern this interner's signatures elsewhere (plain data). */
  export(): InternedSignatures {
    return { paths: this.sigPath.map((p) => [p.parent, p.loc, p.cls]), locations: this.locations.names };
  }

  /** Interns another interner's signatures; returns, for each of its ids, the id here. */
  import(other: InternedSignatures): Int32Array {
    const loc = other.locations.map((text) => this.locations.id(text));
    const map = new Int32Array(other.paths.length);
    // Paths are listed parent first, so a parent's id here is known before its children's.
    for (let k = 0; k < other.paths.length; k++) {
      const [parent, key, cls] = other.paths[k]!;
      const node = parent === -1 ? undefined : this.nodes[map[parent]!];
      map[k] = this.child(node, key >= 0 ? loc[key]! : key, cls, parent === -1 ? -1 : map[parent]!).id;
    }
    return map;
  }

  // Stacks seen lately, by their bottom (start) function: a goroutine whose frames are at the same
  // locations as one of them (arguments may differ: pointers usually do) has its signature without a
  // walk of the trie. Kinds of goroutines often alternate in a dump, so one "previous stack" is not enough.
  private readonly recent = new Map<FunctionName | undefined, RecentStack[]>();

  /** The signature id of a goroutine. */
  id(g: Goroutine): number {
    const cls = CLASS_INDEX.get(g.stateClass) ?? -1;
    const frames = g.frames;
    const elided = g.elided;
    const start = frames[frames.length - 1]?.fn;
    const list = this.recent.get(start);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!;
        // The parser shares one empty elision list, so identity settles nearly every stack.
        if (
          r.cls === cls &&
          sameLocations(r.frames, frames) &&
          (r.elided === elided || sameElisions(r.elided, elided))
        )
          return r.id;
      }
    }
    return this.miss(g, cls, start, list);
  }

  // A stack not among the recent ones, in a function of its own: its branches (a new start function,
  // a full list) first run late in a dump, and inside `id` they would end its optimised code.
  private miss(
    g: Goroutine,
    cls: number,
    start: FunctionName | undefined,
    known: RecentStack[] | undefined,
  ): number {
    const id = this.lookup(g, cls);
    const r: RecentStack = { cls, frames: g.frames, elided: g.elided, id };
    // A new start function's list is made holding its stack: an empty list grown by one push has room
    // for 17 (152 bytes), and where every stack starts in a function of its own each list keeps one.
    if (known === undefined) {
      if (this.recent.size >= this.recentStarts) this.recent.clear();
      this.recent.set(start, [r]);
    } else if (known.length < RECENT_PER_START) known.push(r);
    else known[id % RECENT_PER_START] = r;
    return id;
  }

  private lookup(g: Goroutine, cls: number): number {
    let node = this.child(undefined, -1 - cls, cls, -1);
    let e = 0;
    for (let i = 0; i < g.frames.length; i++) {
      while (e < g.elided.length && g.elided[e]!.index === i) {
        node = this.child(node, -100, cls, node.id);
        e++;
      }
      node = this.child(node, this.loc(g.frames[i]!), cls, node.id);
    }
    if (e < g.elided.length) node = this.child(node, -100, cls, node.id);
    return node.id;
  }

  /** The signature string of an id (same text as goroutineSignature). */
  text(id: number): string {
    const cached = this.sigStrings[id];
    if (cached !== undefined) return cached;
    const parts: string[] = [];
    let k = id;
    let cls = 0;
    while (k !== -1) {
      const p = this.sigPath[k]!;
      cls = p.cls;
      if (p.loc >= 0) parts.push(this.locations.names[p.loc]!);
      else if (p.loc === -100) parts.push("...");
      k = p.parent;
    }
    parts.push(STATE_CLASSES[cls] as StateClass);
    const s = parts.reverse().join("\n");
    this.sigStrings[id] = s;
    return s;
  }

  get size(): number {
    return this.sigPath.length;
  }
}

/** Interns creator sites (`function file:line`) to small integers; 0 means "no creator" (a root). */
export class SiteInterner {
  private readonly ids = new Map<string, number>();
  readonly sites: (CreatorSite | null)[] = [null];

  // Lookup by function object, then line, then file: no key string built per goroutine.
  private readonly byFn = new Map<FunctionName, Map<number, { file: string; id: number }[]>>();

  id(c: CreatedBy | undefined): number {
    if (!c) return 0;
    const byLine = this.byFn.get(c.fn);
    if (byLine !== undefined) {
      const cands = byLine.get(c.line);
      if (cands !== undefined) {
        for (let i = 0; i < cands.length; i++) {
          const x = cands[i]!;
          if (x.file === c.file) return x.id;
        }
      }
    }
    return this.add(c);
  }

  // A site seen for the first time, in a function of its own: new creator functions keep appearing
  // late in a dump, and inside `id` their branches would end its optimised code (and its callers').
  private add(c: CreatedBy): number {
    let byLine = this.byFn.get(c.fn);
    if (byLine === undefined) {
      byLine = new Map();
      this.byFn.set(c.fn, byLine);
    }
    const id = this.intern({ function: c.fn.full, file: c.file, line: c.line });
    const cands = byLine.get(c.line);
    if (cands !== undefined) cands.push({ file: c.file, id });
    else byLine.set(c.line, [{ file: c.file, id }]);
    return id;
  }

  intern(s: CreatorSite | null): number {
    if (!s) return 0;
    const key = `${s.function} ${s.file}:${s.line}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sites.length;
      this.sites.push(s);
      this.ids.set(key, id);
    }
    return id;
  }
}

export interface CreatorSite {
  function: string;
  file: string;
  line: number;
}

/** A SignatureInterner's content as plain data: [parent id, location id or marker, state class] per id. */
export interface InternedSignatures {
  paths: [number, number, number][];
  locations: string[];
}
