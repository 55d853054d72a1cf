// Lock-order inversions (ABBA deadlocks) from the goroutines waiting for a lock: who waits on which mutex, and who holds it.
import type { Frame, Goroutine } from "@gosleuth/model";
import { blockingFrame } from "./blocking-frame.ts";

/** Functions whose first argument is the object a goroutine waits on (the channel, the mutex, the condition). */
const OBJECT_FUNCTIONS =
  /^(runtime\.chan(send|recv)\d?|runtime\.selectgo|(internal\/)?sync\.\(\*(Mutex|RWMutex|Cond|WaitGroup)\)\.\w+|sync\.runtime_Semacquire\w*)$/;

/** A pointer argument as printed (`0xc000123450`, `0xc000123450?`), without the "maybe" mark. */
function pointerArgs(args: string): string[] {
  const out: string[] = [];
  for (const a of args.split(",")) {
    const t = a.trim().replace(/^\{/, "").replace(/\}$/, "").replace(/\?$/, "");
    // Small numbers are lengths, flags and counts, not addresses.
    if (/^0x[0-9a-f]{6,}$/.test(t)) out.push(t);
  }
  return out;
}

/** The first pointer argument of a frame's argument text, without reading the rest. */
export function firstPointer(args: string): string | undefined {
  let start = 0;
  while (start < args.length) {
    let end = args.indexOf(",", start);
    if (end < 0) end = args.length;
    const t = args.slice(start, end).trim().replace(/^\{/, "").replace(/\}$/, "").replace(/\?$/, "");
    if (/^0x[0-9a-f]{6,}$/.test(t)) return t;
    start = end + 1;
  }
  return undefined;
}

/**
 * Where the object a goroutine waits on is printed: the innermost channel or sync function of the stack
 * that is not inlined (inlined frames print `...`); -1 when there is none. A signature fixes it.
 */
export function objectFrameIndex(frames: readonly Frame[]): number {
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (f.inlined || !OBJECT_FUNCTIONS.test(f.fn.full)) continue;
    if (f.fn.full === "runtime.selectgo") return -1;
    return i;
  }
  return -1;
}

/** The object the goroutine waits on (see objectFrameIndex). Undefined when the stack does not show it. */
export function waitObject(frames: readonly Frame[], at = objectFrameIndex(frames)): string | undefined {
  return at >= 0 ? firstPointer(frames[at]!.args) : undefined;
}

/** One goroutine waiting for a lock, as the inversion search needs it. */
export interface LockWait {
  /** The group it belongs to (signature and creator site ids of its grouper). */
  sig: number;
  site: number;
  /** The program's frame that asked for the lock. */
  fn: string;
  file: string;
  line: number;
  /** The mutex waited on. */
  wait: string;
  /** Pointer arguments of that frame (receiver first): candidates for locks it already holds. */
  args: string[];
}

/** Where a stack's blocking frame is (see blockingFrame); -1 when it has no frames. A signature fixes it. */
export function blockingFrameIndex(frames: readonly Frame[]): number {
  const b = blockingFrame(frames);
  return b ? frames.findIndex((f) => f.fn.full === b.function && f.line === b.line) : -1;
}

/**
 * The lock wait of a goroutine in `sync.Mutex.Lock`/`RWMutex` states, when its stack shows the mutex;
 * `objectAt` and `blockingAt` are the frame indexes of its signature (computed here when not given).
 */
export function lockWaitOf(
  g: Goroutine,
  sig: number,
  site: number,
  objectAt = objectFrameIndex(g.frames),
  blockingAt = blockingFrameIndex(g.frames),
): LockWait | undefined {
  const wait = waitObject(g.frames, objectAt);
  const frame = g.frames[blockingAt];
  if (wait === undefined || !frame) return undefined;
  return {
    sig,
    site,
    fn: frame.fn.full,
    file: frame.file,
    line: frame.line,
    wait,
    args: pointerArgs(frame.args),
  };
}

export interface Inversion {
  /** Groups (sig/site pairs) of the deadlocked goroutines and of those queued behind them. */
  deadlocked: {
    sig: number;
    site: number;
    fn: string;
    file: string;
    line: number;
    heldLine?: number;
    count: number;
  }[];
  queued: { sig: number; site: number; count: number }[];
  deadlockedCount: number;
  queuedCount: number;
  /** Distinct mutexes held by the deadlocked goroutines. */
  locks: number;
}

const short = (fn: string) => fn.replace(/^.*\/(?=[^/]*$)/, "").replace(/^[^.(]*\./, "");
const base = (file: string) => file.replace(/^.*\//, "");

/** The sentence an inversion is reported with (its functions, Lock lines and counts). */
export function describeInversion(v: Inversion): string {
  const fmt = (n: number) => n.toLocaleString("en-US");
  const fns = v.deadlocked.map(
    (d) =>
      `\`${short(d.fn)}\` waits at ${base(d.file)}:${d.line}${d.heldLine !== undefined ? ` holding the lock it took at :${d.heldLine}` : " holding a lock it took before"}`,
  );
  const counts = v.deadlocked.map((d) => fmt(d.count)).join(" + ");
  const queued = v.queuedCount > 0 ? `, ${fmt(v.queuedCount)} queued behind` : "";
  return `lock-order inversion suspected: ${fns.join(", ")}; ${counts} goroutines deadlocked${queued}`;
}

/**
 * Lock waits as columns (what LockWaits keeps): wait i asked for its lock in `frames[frame[i]]`, waits on
 * the pointer numbered `wait[i]` and has the pointer arguments `args[argEnd[i-1] .. argEnd[i])` (from 0 for
 * i = 0). Pointers are numbers here: equal numbers for equal pointer texts, different for different ones.
 */
export interface LockWaitTable {
  readonly sig: ArrayLike<number>;
  readonly site: ArrayLike<number>;
  readonly frame: ArrayLike<number>;
  readonly frames: readonly { readonly fn: string; readonly file: string; readonly line: number }[];
  readonly wait: ArrayLike<number>;
  readonly argEnd: ArrayLike<number>;
  readonly args: ArrayLike<number>;
}

/**
 * Finds goroutines that each wait for a mutex another of them holds (a cycle), and the goroutines
 * queued on the mutexes they hold. What a goroutine holds is read from its own frame: a goroutine
 * waiting at a later Lock line of its function than others holds the lock of the earlier line, which
 * is the argument the goroutines waiting there wait on (else every pointer argument but the one it
 * waits on is a candidate); goroutines at the first Lock line seen hold nothing.
 */
export function findInversions(waits: readonly LockWait[]): Inversion | undefined {
  // Pointer texts numbered in order of first sight; each wait is its own frame.
  const ids = new Map<string, number>();
  const id = (p: string) => {
    let n = ids.get(p);
    if (n === undefined) ids.set(p, (n = ids.size));
    return n;
  };
  const argEnd: number[] = [];
  const args: number[] = [];
  for (const w of waits) {
    for (const a of w.args) args.push(id(a));
    argEnd.push(args.length);
  }
  return findInversionsIn({
    sig: waits.map((w) => w.sig),
    site: waits.map((w) => w.site),
    frame: waits.map((_, i) => i),
    frames: waits,
    wait: waits.map((w) => id(w.wait)),
    argEnd,
    args,
  });
}

/**
 * findInversions over columns, with no object per wait: a big dump has tens of thousands of lock waits
 * (30,834 in the 216k bench dump), and making them objects with pointer strings took longer than the search.
 */
export function findInversionsIn(t: LockWaitTable): Inversion | undefined {
  const n = t.sig.length;
  if (n < 2) return undefined;
  const fnOf = (i: number) => t.frames[t.frame[i]!]!.fn;
  const lineOf = (i: number) => t.frames[t.frame[i]!]!.line;
  const argStart = (i: number) => (i === 0 ? 0 : t.argEnd[i - 1]!);
  const byFn = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const fn = fnOf(i);
    let l = byFn.get(fn);
    if (!l) byFn.set(fn, (l = []));
    l.push(i);
  }
  const held = new Map<number, number[]>();
  const heldLine = new Map<string, number>();
  for (const [fn, list] of byFn) {
    let first = Number.POSITIVE_INFINITY;
    for (const i of list) first = Math.min(first, lineOf(i));
    // The argument position the first Lock line locks, by majority of the goroutines waiting there.
    const votes = new Map<number, number>();
    for (const i of list) {
      if (lineOf(i) !== first) continue;
      const s = argStart(i);
      const e = t.argEnd[i]!;
      for (let k = s; k < e; k++)
        if (t.args[k] === t.wait[i]) {
          votes.set(k - s, (votes.get(k - s) ?? 0) + 1);
          break;
        }
    }
    let pos = -1;
    let best = 0;
    for (const [p, c] of votes) if (c > best) [pos, best] = [p, c];
    if (pos >= 0) heldLine.set(fn, first);
    for (const i of list) {
      // Goroutines at the first Lock line seen in their function are taken to hold nothing yet.
      if (lineOf(i) === first) continue;
      const s = argStart(i);
      const e = t.argEnd[i]!;
      const w = t.wait[i]!;
      if (pos >= 0) {
        if (s + pos < e && t.args[s + pos] !== w) held.set(i, [t.args[s + pos]!]);
      } else {
        const h: number[] = [];
        for (let k = s; k < e; k++) if (t.args[k] !== w) h.push(t.args[k]!);
        if (h.length > 0) held.set(i, h);
      }
    }
  }
  const holders = new Map<number, number[]>();
  for (const [i, hs] of held)
    for (const h of hs) {
      let l = holders.get(h);
      if (!l) holders.set(h, (l = []));
      l.push(i);
    }
  // Following "waits on a lock held by" from a goroutine that holds a lock: when the chain comes back on
  // itself, every goroutine on it waits forever while holding its lock (the cycle, and the ones holding a
  // lock while waiting on the cycle).
  const dead = new Set<number>();
  for (const i of held.keys()) {
    if (dead.has(i)) continue;
    const path: number[] = [i];
    const seen = new Set<number>([i]);
    let cur = i;
    for (let step = 0; step < 64; step++) {
      const next = (holders.get(t.wait[cur]!) ?? []).find((x) => x !== cur);
      if (next === undefined) break;
      if (seen.has(next) || dead.has(next)) {
        for (const x of path) dead.add(x);
        break;
      }
      seen.add(next);
      path.push(next);
      cur = next;
    }
  }
  if (dead.size === 0) return undefined;
  const locks = new Set<number>();
  for (const d of dead) for (const h of held.get(d) ?? []) locks.add(h);
  const groupOf = (i: number) => `${t.sig[i]}:${t.site[i]}`;
  const dGroups = new Map<string, Inversion["deadlocked"][number]>();
  for (const d of dead) {
    const k = groupOf(d);
    const g = dGroups.get(k);
    if (g) g.count++;
    else {
      const f = t.frames[t.frame[d]!]!;
      const hl = heldLine.get(f.fn);
      dGroups.set(k, {
        sig: t.sig[d]!,
        site: t.site[d]!,
        fn: f.fn,
        file: f.file,
        line: f.line,
        ...(hl !== undefined ? { heldLine: hl } : {}),
        count: 1,
      });
    }
  }
  const qGroups = new Map<string, Inversion["queued"][number]>();
  let queuedCount = 0;
  for (let i = 0; i < n; i++) {
    if (dead.has(i) || !locks.has(t.wait[i]!)) continue;
    queuedCount++;
    const k = groupOf(i);
    const g = qGroups.get(k);
    if (g) g.count++;
    else qGroups.set(k, { sig: t.sig[i]!, site: t.site[i]!, count: 1 });
  }
  const deadlocked = [...dGroups.values()].sort((a, b) => b.count - a.count || (a.fn < b.fn ? -1 : 1));
  return {
    deadlocked,
    queued: [...qGroups.values()],
    deadlockedCount: dead.size,
    queuedCount,
    locks: locks.size,
  };
}
