// Who holds what: pointer arguments of every goroutine counted in a fixed-size sketch, and the goroutines waiting
// on a channel or a WaitGroup with the pointers they hold, for the channel-cycle and WaitGroup searches.
import type { Frame, Goroutine } from "@gosleuth/model";
import { FAST_GROWTH, Growable, IdColumn } from "@gosleuth/spawn-graph/internal";
import { blockingFrameIndex } from "./lock-order.ts";
import { DistinctPointers, doubles, flags, high, mix, scan } from "./pointer-args.ts";

/**
 * Counters of the sketch, per row (two rows, each pointer counted in one cell of each). A cell counts every
 * goroutine holding any pointer that falls in it, so a count is never below the true number of holders;
 * collisions only make it higher, which can only keep an incident from being found, never invent one.
 */
const SKETCH_BITS = 17;
const SKETCH_SIZE = 1 << SKETCH_BITS;
/**
 * A cell that reaches this count holds it as a mark, and its count is kept in `over`. Cells of 16 bits take
 * half the cache of 32-bit ones (on the 216k unique-arguments dump a sketch of 8 KB, small enough to stay
 * in the cache, made `leaks` 3% faster; 16-bit cells, measured together with keeping fewer last frames
 * (see add), about 1% beyond what that change alone gave).
 */
const FULL = 0xffff;

/** Runtime frames whose first argument is the channel a goroutine waits on (printed under GOTRACEBACK=system and in crashes). */
const CHAN_FUNCTIONS = /^runtime\.chan(send|recv)\d?$/;
const WAITGROUP_WAIT = /^(internal\/)?sync\.\(\*WaitGroup\)\.Wait$/;

/** The row-0 cell of a pointer whose low and high 32 bits are `lo` and `hi`. */
function cell0(lo: number, hi: number): number {
  return mix(lo, hi) >>> (32 - SKETCH_BITS);
}

/** The row-1 cell (see cell0). */
function cell1(lo: number, hi: number): number {
  return SKETCH_SIZE + (Math.imul(lo ^ (hi + 0x7f4a7c15), 0xc2b2ae35) >>> (32 - SKETCH_BITS));
}

/** A signature's stacks that differed in a row before its last frames are kept only now and then (see add). */
const MISS_RUN = 4;
/** Past MISS_RUN, the frames of one stack in this many are kept. */
const KEEP_EVERY = 16;

/** One goroutine waiting on a channel (send or receive, not select) or in `WaitGroup.Wait`. */
export interface HeldWait {
  /** Its group (signature and creator site ids of the grouper). */
  sig: number;
  site: number;
  id: number;
  /** Parent goroutine id; -1 when the dump prints none. */
  parent: number;
  /** Started in the program's own code. */
  userStart: boolean;
  kind: "chan" | "waitgroup";
  /** The object waited on when the stack prints it exactly (runtime.chansend1's channel, WaitGroup.Wait's receiver). */
  wait?: number;
  /** Without it: the exact pointer arguments of the frame it blocks in (one of them is the channel). */
  candidates: number[];
  /** Every distinct pointer it holds in any frame, `?` values included (as the sketch counts them); empty for a WaitGroup waiter. */
  held: number[];
  /** Those printed exactly (empty for a WaitGroup waiter). */
  exact: number[];
  /** Where it blocks (for reasons and root causes). */
  fn: string;
  file: string;
  line: number;
}

/**
 * A signature's last stack: the distinct pointers it holds (the first `size` of `seen`, whether each was
 * printed exactly anywhere in `exact`), and goroutines in a row with it not yet counted.
 */
interface SigStack {
  seen: number[];
  exact: boolean[];
  size: number;
  runs: number;
  /** Its goroutines in a row whose stack differed from the one before (see add). */
  misses: number;
}

/** Where a signature's goroutines block (the frame a waiter's candidates are read from). */
export interface BlockLocation {
  fn: string;
  file: string;
  line: number;
}

/** HoldEvidence's content as plain data (see HoldEvidence.partial); its typed arrays can move between threads. */
export interface HoldPartial {
  /** The sketch's cells that count anything (a range touches few of its 2^18: sending only these keeps a partial small), and their counts. */
  cells: Int32Array;
  counts: Int32Array;
  /** The waiters kept, one record after another (see HoldEvidence.add). */
  records: Float64Array;
  waitCount: number;
  /** Per signature id, where it blocks (null: no waiter of it kept). */
  locations: (BlockLocation | null)[];
  overflow: boolean;
  /** Parent ids of the live goroutines started in the program's own code, one per goroutine. */
  userParents: Int32Array | Float64Array;
  withParents: number;
}

/**
 * Pointer holders and waiters of one dump, gathered in the grouper's pass. Memory is fixed (the sketch) plus
 * the waiters kept (up to `maxWaits`, whose stacks print what they wait on or candidates for it).
 */
export class HoldEvidence {
  private readonly sketch = new Uint16Array(2 * SKETCH_SIZE);
  /**
   * The counts of the cells that reached FULL, by cell: made at the first such cell (a pointer held by
   * 65,535 goroutines or more). An array, not a map: on the 216k bench dump the cells of its most shared
   * pointers are full, and a map's get and set at every count of them took 97 of the 3,762 line ticks
   * of the grouper's `add` it was inlined in (five profiles).
   */
  private over: Int32Array | undefined;
  // The waiters kept, as numbers (one record each: sig, site, id, parent, flags, wait or NaN, the number of
  // candidates and the candidates, the number of pointers held and the pointers, negative when printed with
  // `?`): cheap to keep, and a partial moves to another thread as one buffer.
  private readonly records = new Growable(Float64Array);
  private waitCount = 0;
  private readonly locations: (BlockLocation | null)[] = [];
  private decoded: HeldWait[] | undefined;
  /** Waiters seen past the cap (see overflow). */
  private refused = 0;
  /** A merged part had more waiters than kept. */
  private overflowed = false;
  /**
   * More waiters than kept. The searches stay sound (a waiter not kept still counts in the sketch, so what it
   * holds is never taken for held by the kept ones alone), they only find less.
   */
  get overflow(): boolean {
    return this.overflowed || this.refused > 0;
  }
  /** The parent id of every live goroutine started in the program's own code (one that could call Done). */
  // 4 bytes a parent id while they fit (IdColumn).
  private readonly userParents = new IdColumn(FAST_GROWTH);
  /** Goroutines printed with a parent id (Go 1.21 and later). */
  withParents = 0;
  // Pointers read from argument texts, reused.
  private readonly values = doubles();
  private readonly exact = flags();
  // Per signature, the last stack seen and its distinct pointers, and how many goroutines in a row held
  // those (counted into the sketch when the stack changes or the sketch is read: one pass per run of
  // goroutines with one stack instead of one per goroutine).
  private readonly lastOfSig: (SigStack | undefined)[] = [];
  /** Per signature, the frames of its last goroutine (the array itself, not a copy). */
  private readonly framesOfSig: (readonly Frame[] | undefined)[] = [];
  private readonly pending: SigStack[] = [];
  /** Adds `n` to both cells of each of the first `size` pointers of `seen`. */
  private countAll(seen: number[], size: number, n: number): void {
    for (let i = 0; i < size; i++) {
      const v = seen[i]!;
      const lo = v >>> 0;
      const hi = high(v);
      this.bump(cell0(lo, hi), n);
      this.bump(cell1(lo, hi), n);
    }
  }

  /** Adds `n` to a cell (its count moves to `over` when it reaches FULL). */
  private bump(cell: number, n: number): void {
    const sk = this.sketch;
    const c = sk[cell]!;
    if (c + n < FULL) sk[cell] = c + n;
    else {
      const over = (this.over ??= new Int32Array(2 * SKETCH_SIZE));
      over[cell] = (c === FULL ? over[cell]! : c) + n;
      sk[cell] = FULL;
    }
  }

  /** A cell's count. */
  private cellCount(cell: number): number {
    const c = this.sketch[cell]!;
    return c === FULL ? this.over![cell]! : c;
  }

  /** Counts the goroutines not yet counted into the sketch. */
  private settle(): void {
    for (const l of this.pending) {
      if (l.runs > 0) this.countAll(l.seen, l.size, l.runs);
      l.runs = 0;
    }
    this.pending.length = 0;
  }
  // Per signature (which fixes the stack's functions): where it blocks, and where the runtime prints the
  // object it waits on (-1: nowhere).
  private readonly blockAt: number[] = [];
  private readonly waitAt: number[] = [];

  constructor(private readonly maxWaits = 2_000) {}

  /** Counts the pointers `g` holds; keeps it when it waits on a channel or a WaitGroup. `userStart`: started in the program's own code. */
  add(g: Goroutine, sig: number, site: number, userStart: boolean): void {
    const parent = g.createdBy?.parentId;
    if (parent !== undefined) {
      this.withParents++;
      if (userStart) this.userParents.push(parent);
    }
    const frames = g.frames;
    const last = this.lastOfSig[sig];
    // The parser shares frame objects between goroutines whose frames print the same text, so a stack of
    // the very frames of its signature's last goroutine holds what that one held: counted again with one
    // comparison per frame, without reading any argument text (most goroutines of a big dump).
    // The very array is the common case: goroutines whose body the parser predicted share it.
    const lastFrames = this.framesOfSig[sig];
    let same = last !== undefined && lastFrames !== undefined && lastFrames.length === frames.length;
    if (lastFrames !== frames)
      for (let i = 0; same && i < frames.length; i++) same = lastFrames![i] === frames[i];
    let held: SigStack;
    if (same) {
      held = last!;
      held.misses = 0;
      if (held.runs++ === 0) this.pending.push(held);
    } else {
      held = this.readStack(frames, sig, last);
      // Where a signature's stacks keep differing (arguments unique to each goroutine), its last frames
      // are never matched and keeping them only carries them into the old generation (2% of `leaks` on
      // the 216k unique-arguments dump): after MISS_RUN misses in a row, one stack in KEEP_EVERY is kept,
      // enough to find the run again when stacks start repeating.
      const m = ++held.misses;
      this.framesOfSig[sig] = m < MISS_RUN || m % KEEP_EVERY === 0 ? frames : undefined;
    }
    const cls = g.stateClass;
    if (cls !== "chan-send" && cls !== "chan-receive" && cls !== "waitgroup") return;
    // Counted for every waiter, kept or not, so that no branch of this function first runs after it is
    // optimised (a store there would throw the optimised code away).
    const full = this.waitCount >= this.maxWaits;
    this.refused += full ? 1 : 0;
    if (!full) this.keep(g, sig, site, parent ?? -1, userStart, cls === "waitgroup", held);
  }

  /** Keeps a waiter when its stack prints what it waits on, or candidates for it. */
  private keep(
    g: Goroutine,
    sig: number,
    site: number,
    parent: number,
    userStart: boolean,
    waitGroup: boolean,
    held: SigStack,
  ): void {
    let b = this.blockAt[sig];
    if (b === undefined) this.blockAt[sig] = b = blockingFrameIndex(g.frames);
    let at = this.waitAt[sig];
    if (at === undefined) {
      const re = waitGroup ? WAITGROUP_WAIT : CHAN_FUNCTIONS;
      this.waitAt[sig] = at = g.frames.findIndex((f) => !f.inlined && re.test(f.fn.full));
    }
    const frame: Frame | undefined = g.frames[b];
    if (!frame) return;
    const values = this.values;
    const exact = this.exact;
    let wait: number | undefined;
    if (at >= 0 && scan(g.frames[at]!.args, values, exact, 0) > 0 && exact[0]) wait = values[0];
    const candidates: number[] = [];
    if (wait === undefined && !frame.inlined) {
      const n = scan(frame.args, values, exact, 0);
      for (let i = 0; i < n; i++) if (exact[i]) candidates.push(values[i]!);
    }
    // Neither the object nor a candidate printed: nothing to tie it to anything.
    if (wait === undefined && (waitGroup || candidates.length === 0)) return;
    this.locations[sig] ??= { fn: frame.fn.full, file: frame.file, line: frame.line };
    const seen = held.seen;
    const seenExact = held.exact;
    const size = held.size;
    // One check for room, then the record written in place.
    const r = this.records;
    const end = r.length + 8 + candidates.length + size;
    if (end > r.data.length) r.reserve(Math.max(end, Math.ceil(r.data.length * 1.5)));
    const d = r.data;
    let k = r.length;
    d[k++] = sig;
    d[k++] = site;
    d[k++] = g.id;
    d[k++] = parent;
    d[k++] = (waitGroup ? 1 : 0) | (userStart ? 2 : 0);
    d[k++] = wait ?? Number.NaN;
    d[k++] = candidates.length;
    for (let i = 0; i < candidates.length; i++) d[k++] = candidates[i]!;
    d[k++] = size;
    for (let i = 0; i < size; i++) d[k++] = seenExact[i] ? seen[i]! : -seen[i]!;
    r.length = k;
    this.waitCount++;
    this.decoded = undefined;
  }

  /**
   * Reads the pointers of a stack that is not its signature's last goroutine's frames; returns the
   * signature's record, which then holds them.
   */
  private readStack(frames: readonly Frame[], sig: number, last: SigStack | undefined): SigStack {
    // The signature's last stack is counted for the goroutines that had it, then its arrays are reused:
    // only the last stack of each signature is kept.
    if (last !== undefined && last.runs > 0) this.countAll(last.seen, last.size, last.runs);
    // Pointers come only from argument texts of eight characters or more ("0x" and six hex digits), and
    // the frame before it again (recursion: the parser hands out the one object) adds none. Compared by
    // object, not by text: where arguments differ in every frame, the texts (alike up to their last
    // digits) were compared in full, a third of this function's samples on the unique-arguments dump. A
    // text read twice only repeats pointers, which the distinct pass below drops.
    const values = this.values;
    const exact = this.exact;
    let n = 0;
    let prev: Frame | undefined;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      if (f !== prev && f.args.length >= 8) n = scan(f.args, values, exact, n);
      prev = f;
    }
    // Each distinct pointer once per goroutine (in the order first printed), exact when printed so anywhere.
    const seen = last?.seen ?? this.newSeen;
    const seenExact = last?.exact ?? this.newExact;
    const size = this.distinct.of(values, exact, n, seen, seenExact);
    if (last !== undefined) {
      if (last.runs === 0) this.pending.push(last);
      last.size = size;
      last.runs = 1;
      return last;
    }
    // A new signature keeps copies of exactly its pointers (see newSeen).
    const made = { seen: seen.slice(0, size), exact: seenExact.slice(0, size), size, runs: 1, misses: 0 };
    this.lastOfSig[sig] = made;
    this.pending.push(made);
    return made;
  }

  // Where a new signature's distinct pointers are found, reused: an array grown from empty by its first
  // store has room for 17 (152 bytes), and every signature keeps its two (25 MB of `leaks` where 100,000
  // stacks differ, most holding one pointer).
  private readonly newSeen = doubles();
  private readonly newExact = flags();
  private readonly distinct = new DistinctPointers();

  /** The waiters kept. */
  get waits(): readonly HeldWait[] {
    if (this.decoded) return this.decoded;
    const out: HeldWait[] = [];
    const r = this.records.view();
    let i = 0;
    while (i < r.length) {
      const sig = r[i]!;
      const flags = r[i + 4]!;
      const wait = r[i + 5]!;
      const nc = r[i + 6]!;
      // Plain loops, not Array.from over views: this runs once, before it is optimised, and there a
      // builtin calling back per element cost more than the loop.
      const candidates: number[] = [];
      for (let k = i + 7; k < i + 7 + nc; k++) candidates.push(r[k]!);
      const nh = r[i + 7 + nc]!;
      // What a WaitGroup waiter holds is never read (the sketch answers for it); a channel waiter's is.
      const held: number[] = [];
      const exact: number[] = [];
      if ((flags & 1) === 0)
        for (let k = i + 8 + nc; k < i + 8 + nc + nh; k++) {
          const v = r[k]!;
          held.push(Math.abs(v));
          if (v > 0) exact.push(v);
        }
      const loc = this.locations[sig]!;
      const w: HeldWait = {
        sig,
        site: r[i + 1]!,
        id: r[i + 2]!,
        parent: r[i + 3]!,
        userStart: (flags & 2) !== 0,
        kind: flags & 1 ? "waitgroup" : "chan",
        candidates,
        held,
        exact,
        fn: loc.fn,
        file: loc.file,
        line: loc.line,
      };
      // Set after, not spread in (a spread is a copy, and slow in code not yet optimised).
      if (!Number.isNaN(wait)) w.wait = wait;
      out.push(w);
      i += 8 + nc + nh;
    }
    this.decoded = out;
    return out;
  }

  /** For each of `ids`, how many live goroutines started in the program's own code it created. */
  userChildren(ids: ReadonlySet<number>): Map<number, number> {
    const out = new Map<number, number>();
    const col = this.userParents.view();
    for (let i = 0; i < col.length; i++) {
      const p = col[i]!;
      if (ids.has(p)) out.set(p, (out.get(p) ?? 0) + 1);
    }
    return out;
  }

  /** At least the number of goroutines holding `v` (exactly that unless another pointer shares both cells). */
  holders(v: number): number {
    if (this.pending.length > 0) this.settle();
    const lo = v >>> 0;
    const hi = high(v);
    return Math.min(this.cellCount(cell0(lo, hi)), this.cellCount(cell1(lo, hi)));
  }

  /** This evidence as plain data (its buffers are views: once moved to another thread, use it no more). */
  partial(): HoldPartial {
    this.settle();
    // The cells that count anything, found when the part is done (one pass over the sketch) rather than
    // noted at each count.
    const sk = this.sketch;
    let n = 0;
    for (let i = 0; i < sk.length; i++) if (sk[i] !== 0) n++;
    const cellsOf = new Int32Array(n);
    const counts = new Int32Array(n);
    for (let i = 0, k = 0; i < sk.length; i++)
      if (sk[i] !== 0) {
        cellsOf[k] = i;
        counts[k++] = this.cellCount(i);
      }
    return {
      cells: cellsOf,
      counts,
      records: this.records.view(),
      waitCount: this.waitCount,
      locations: Array.from(this.locations, (l) => l ?? null),
      overflow: this.overflow,
      userParents: this.userParents.view(),
      withParents: this.withParents,
    };
  }

  /** Adds a later part (its signature and site ids mapped to this grouper's by `sig` and `site`). */
  merge(p: HoldPartial, sig: ArrayLike<number>, site: ArrayLike<number>): void {
    const at = p.cells;
    const n = p.counts;
    for (let i = 0; i < at.length; i++) this.bump(at[i]!, n[i]!);
    this.overflowed ||= p.overflow;
    p.locations.forEach((l, i) => {
      if (l) this.locations[sig[i]!] ??= l;
    });
    const r = p.records;
    let i = 0;
    while (i < r.length) {
      const nc = r[i + 6]!;
      const nh = r[i + 7 + nc]!;
      const end = i + 8 + nc + nh;
      if (this.waitCount >= this.maxWaits) {
        this.overflowed = true;
        break;
      }
      this.records.push(sig[r[i]!]!);
      this.records.push(site[r[i + 1]!]!);
      this.records.append(r.subarray(i + 2, end));
      this.waitCount++;
      i = end;
    }
    this.decoded = undefined;
    this.userParents.append(p.userParents);
    this.withParents += p.withParents;
  }
}
