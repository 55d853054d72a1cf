// Goroutines grouped by signature and creator site in one pass, keeping per goroutine only numbers.
import { type Frame, type Goroutine, type StateClass, startFunctionName } from "@gosleuth/model";
import {
  type CreatorSite,
  FAST_GROWTH,
  Growable,
  groupKey,
  IdColumn,
  type InternedSignatures,
  NameTable,
  SignatureInterner,
  SiteInterner,
  StackMemo,
} from "@gosleuth/spawn-graph/internal";
import { HoldEvidence, type HoldPartial } from "./holders.ts";
import { IdSet, LastPositions } from "./id-set.ts";
import {
  blockingFrameIndex,
  type LockWait,
  type LockWaitTable,
  lockWaitOf,
  objectFrameIndex,
  waitObject,
} from "./lock-order.ts";
import { LockWaits, type LockWaitsPartial } from "./lock-waits.ts";
import { REQUEST_HANDLERS } from "./rules.ts";
import { isUserFunction } from "./std.ts";

// Distinct parents kept per group: enough to tell one creator from many, bounded so that a group with a
// parent per goroutine costs no more than a counter.
const PARENTS_KEPT = 10_000;

/** One number per (creator site, signature): signature ids stay below 2^24, so the pair never collides. */
function groupNumber(site: number, sig: number): number {
  return site * 16_777_216 + sig;
}

/** One group's counts, filled in one pass over the goroutines. */
export interface GroupTally {
  key: string;
  sig: number;
  site: number;
  count: number;
  minWait: number;
  maxWait: number;
  /**
   * Counts of its raw states, but for the run of `runState` still being counted (read them with
   * stateCounts). The one empty map NO_STATES until a second state comes: most groups have one state.
   */
  states: Map<string, number>;
  stateClass: StateClass;
  samples: number[];
  /** Distinct parent ids, in the order first seen (up to PARENTS_KEPT). */
  parents: IdSet;
  missingParents: number;
  leaked: number;
  /**
   * The frames of its first goroutine (all that scoring reads of it): the goroutine object itself, its
   * line numbers and creator, cost about 480 bytes a group more (48 MB where 100,000 stacks differ).
   */
  frames: readonly Frame[];
  /** Goroutine ids (only when the grouper keeps them: else the one empty set of every group, NO_IDS). */
  ids: Set<number>;
  /** States not yet counted in `states`: the last one seen and how many in a row (see stateCounts). */
  runState: string;
  runCount: number;
  /** The parent id last added to `parents` (siblings with one parent often come in a row). */
  lastParent: number;
  /**
   * Objects (channels, mutexes, conditions) its goroutines wait on, up to the grouper's limit (the one
   * empty set NO_OBJECTS until one is found).
   */
  objects: Set<string>;
}

// Maps and sets never written, shared by the groups that have nothing in them yet: an empty Map or Set
// costs about 260 bytes with its table (allocated with it); one of each per group was 50 MB of `leaks`
// where 100,000 stacks differ. A group gets its own at its first entry (addState, addObject).
/** The `ids` of every group when the grouper keeps none. */
const NO_IDS: Set<number> = new Set();
/** The `objects` of a group that has found none. */
const NO_OBJECTS: Set<string> = new Set();
/** The `states` of a group that has had one state so far (counted by its run). */
const NO_STATES: Map<string, number> = new Map();

/** Adds `n` goroutines in raw state `state` to a group's `states`. */
function addState(a: GroupTally, state: string, n: number): void {
  if (a.states === NO_STATES) a.states = new Map();
  a.states.set(state, (a.states.get(state) ?? 0) + n);
}

/** Adds an object to a group's `objects`. */
function addObject(a: GroupTally, o: string): void {
  if (a.objects === NO_OBJECTS) a.objects = new Set();
  a.objects.add(o);
}

/**
 * A group's goroutines per raw state, in the order each state's first run ended (the run still being
 * counted last). A new map when the run is not counted in `states` yet, else `states` itself: read it,
 * do not keep or change it.
 */
export function stateCounts(a: GroupTally | GroupPartial): ReadonlyMap<string, number> {
  if (a.runCount === 0) return a.states;
  const m = new Map(a.states);
  m.set(a.runState, (m.get(a.runState) ?? 0) + a.runCount);
  return m;
}

/** What a grouper keeps besides counts, as evidence for incidents. */
export interface EvidenceLimits {
  /** Distinct wait objects per group. */
  objects: number;
  /** Goroutines waiting for a lock kept for the lock-order search. */
  lockWaits: number;
  /** Goroutines waiting on a channel or a WaitGroup kept for the channel-cycle and WaitGroup searches. */
  chanWaits?: number;
}

/**
 * Goroutines of a group whose wait object is read, per object kept: a group waiting on a few objects
 * shows them in its first goroutines, and reading every goroutine of a big group costs a pass over
 * its frames' argument text.
 */
const OBJECT_LOOKS = 16;

/** States in which a goroutine waits on an object its stack names (so reading the frames is worth it). */
const OBJECT_STATES = new Set<StateClass>([
  "chan-send",
  "chan-receive",
  "cond",
  "mutex",
  "rwmutex",
  "waitgroup",
  "semacquire",
]);

/** A group as plain data: its parent ids as a typed array. */
export type GroupPartial = Omit<GroupTally, "parents"> & { parents: Float64Array };

/** A Grouper's content as plain data (see Grouper.partial). */
export interface GrouperPartial {
  total: number;
  signatures: InternedSignatures;
  sites: (CreatorSite | null)[];
  groups: GroupPartial[];
  /** Start function of every goroutine: ids (as 32-bit integers while every id fits), and indexes into startNames. */
  startIds: Int32Array | Float64Array;
  startFns: Int32Array;
  startNames: string[];
  lockWaits: LockWaitsPartial;
  holds: HoldPartial;
}

/** Groups goroutines by signature and creator site in one pass. */
export class Grouper {
  readonly sigs = new SignatureInterner();
  readonly sites = new SiteInterner();
  private readonly byKey = new Map<number, GroupTally>();

  /** The groups, by signature and creator site (states: see stateCounts). */
  get groups(): ReadonlyMap<number, GroupTally> {
    return this.byKey;
  }

  /** The group of this signature and creator site, if any goroutine had them. */
  groupOf(sig: number, site: number): GroupTally | undefined {
    return this.groups.get(groupNumber(site, sig));
  }

  // Start function of every goroutine, as columns (id, index into startNames), looked up by id through
  // an index built when first needed: far smaller and cheaper than a Map of every goroutine.
  // A column a goroutine, filled while the parser runs (FAST_GROWTH); ids take 4 bytes each while they fit
  // (as summary's records: half the fresh memory of doubles).
  private readonly startIds = new IdColumn(FAST_GROWTH);
  private readonly startFns = new Growable(Int32Array, 1024, FAST_GROWTH);
  private readonly startNames = new NameTable();
  private startIndex: LastPositions | undefined;

  /** The start function of the goroutine with this id (the last one seen with it), if it is in the dump. */
  startOf(id: number): string | undefined {
    this.startIndex ??= new LastPositions(this.startIds.view());
    // When an id repeats (dumps joined), the last goroutine seen with it wins.
    const at = this.startIndex.last(id);
    return at === -1 ? undefined : this.startNames.names[this.startFns.data[at]!];
  }
  /** Per start function (index into startNames): a request handler (see REQUEST_HANDLERS). */
  private readonly handlerStart: boolean[] = [];

  /**
   * Of a group's parents: how many are not in the dump, and the start function of the first one (in the
   * order first seen) started as a request handler. Scoring asks this of every group, for every parent
   * (88,854 on the 216k dump): one pass by index over the parents' column, the handler test once per start
   * function, not a Set of start names built per group.
   */
  parentStarts(a: GroupTally): { missing: number; handler: string | undefined } {
    this.startIndex ??= new LastPositions(this.startIds.view());
    const index = this.startIndex;
    const names = this.startNames.names;
    const fns = this.startFns.data;
    const handlerStart = this.handlerStart;
    for (let i = handlerStart.length; i < names.length; i++)
      handlerStart.push(REQUEST_HANDLERS.includes(names[i]!));
    const parents = a.parents.view();
    let missing = 0;
    let handler: string | undefined;
    for (let i = 0; i < parents.length; i++) {
      const at = index.last(parents[i]!);
      if (at === -1) missing++;
      else if (handler === undefined && handlerStart[fns[at]!]) handler = names[fns[at]!];
    }
    return { missing, handler };
  }
  total = 0;

  // Goroutines waiting for a lock (up to the limit), for the lock-order search, and the blocking frame's
  // number there per signature.
  private readonly waits = new LockWaits();
  private readonly lockFrameOfSig: number[] = [];

  /** Goroutines waiting for a lock (up to the limit) as columns (views, no copy), for the lock-order search. */
  get lockWaitTable(): LockWaitTable {
    return this.waits.partial();
  }
  /** Who holds which pointers, and the goroutines waiting on channels and WaitGroups. */
  readonly holds: HoldEvidence;

  constructor(
    private readonly samples = 10,
    private readonly keepIds = false,
    private readonly limits: EvidenceLimits = { objects: 64, lockWaits: 100_000 },
  ) {
    this.holds = new HoldEvidence(limits.chanWaits);
  }

  // The start function of each signature (a signature fixes the stack's functions), and the group
  // last added to: siblings usually come one after another.
  private readonly startOfSig: number[] = [];
  private readonly userStartOfSig: boolean[] = [];
  private lastKey = -1;
  private lastGroup: GroupTally | undefined;
  private readonly memo = new StackMemo<GroupTally>();

  add(g: Goroutine): void {
    this.total++;
    // A stack that is the very one of an earlier goroutine (frame objects, state class, elisions, creator
    // site) has its signature and site: its group's.
    const known = this.memo.get(g);
    const sig = known !== undefined ? known.sig : this.sigs.id(g);
    const site = known !== undefined ? known.site : this.sites.id(g.createdBy);
    const k = groupNumber(site, sig);
    let startFn = this.startOfSig[sig];
    if (startFn === undefined) {
      startFn = this.startNames.id(startFunctionName(g.frames));
      this.startOfSig[sig] = startFn;
      this.userStartOfSig[sig] = isUserFunction(this.startNames.names[startFn]!);
    }
    this.holds.add(g, sig, site, this.userStartOfSig[sig]!);
    this.startIds.push(g.id);
    this.startFns.push(startFn);
    this.startIndex = undefined;
    // A remembered stack's group is the one it was added to; else the last group or the key's.
    let a = known ?? (k === this.lastKey ? this.lastGroup : this.byKey.get(k));
    if (!a) {
      a = {
        key: "",
        sig,
        site,
        count: 0,
        minWait: Number.POSITIVE_INFINITY,
        maxWait: 0,
        states: NO_STATES,
        stateClass: g.stateClass,
        // Made holding the first goroutine's id: a list grown from empty by a push has room for 17
        // (152 bytes), and most groups of a dump whose stacks all differ keep one.
        samples: this.samples > 0 ? [g.id] : [],
        parents: new IdSet(),
        missingParents: 0,
        leaked: 0,
        frames: g.frames,
        ids: this.keepIds ? new Set() : NO_IDS,
        runState: g.state,
        runCount: 0,
        lastParent: Number.NaN,
        objects: NO_OBJECTS,
      };
      this.byKey.set(k, a);
    }
    if (known === undefined) this.memo.set(g, a);
    this.lastKey = k;
    this.lastGroup = a;
    a.count++;
    if (g.waitMinutes < a.minWait) a.minWait = g.waitMinutes;
    if (g.waitMinutes > a.maxWait) a.maxWait = g.waitMinutes;
    if (g.state === a.runState) a.runCount++;
    else {
      if (a.runCount > 0) addState(a, a.runState, a.runCount);
      a.runState = g.state;
      a.runCount = 1;
    }
    if (a.count > 1 && a.samples.length < this.samples) a.samples.push(g.id);
    const p = g.createdBy?.parentId;
    if (p !== undefined && p !== a.lastParent) {
      a.lastParent = p;
      if (a.parents.size < PARENTS_KEPT) a.parents.add(p);
    }
    if (g.leaked) a.leaked++;
    if (this.keepIds) a.ids.add(g.id);
    if (OBJECT_STATES.has(g.stateClass)) this.addEvidence(g, a, sig, site);
  }

  // Frame indexes fixed by a signature: where the waited-on object is printed, and the blocking frame.
  private readonly objectAt: number[] = [];
  private readonly blockingAt: number[] = [];
  /** Per signature, the last lock wait read and the argument text it was read from. */
  private readonly lastLockWait: (
    | { objArgs: string; blockArgs: string | undefined; w: LockWait | undefined }
    | undefined
  )[] = [];

  /** The object the goroutine waits on, and for a lock waiter what the lock-order search needs. */
  private addEvidence(g: Goroutine, a: GroupTally, sig: number, site: number): void {
    let at = this.objectAt[sig];
    if (at === undefined) this.objectAt[sig] = at = objectFrameIndex(g.frames);
    if (at < 0) return;
    if (
      (g.stateClass === "mutex" || g.stateClass === "rwmutex") &&
      this.waits.length < this.limits.lockWaits
    ) {
      let b = this.blockingAt[sig];
      if (b === undefined) this.blockingAt[sig] = b = blockingFrameIndex(g.frames);
      // What a lock wait holds is read from two frames whose places the signature fixes: the same
      // argument text there as the signature's last lock waiter gives the same wait, read once.
      const objArgs = g.frames[at]!.args;
      const blockArgs = g.frames[b]?.args;
      let m = this.lastLockWait[sig];
      if (m === undefined || m.objArgs !== objArgs || m.blockArgs !== blockArgs) {
        m = { objArgs, blockArgs, w: lockWaitOf(g, sig, site, at, b) };
        this.lastLockWait[sig] = m;
      }
      const w = m.w;
      if (!w) return;
      // The blocking frame's place is fixed by the signature, so its function, file and line are too.
      let f = this.lockFrameOfSig[sig];
      if (f === undefined) this.lockFrameOfSig[sig] = f = this.waits.frameId(w.fn, w.file, w.line);
      this.waits.push(sig, site, f, w);
      if (a.objects.size < this.limits.objects) addObject(a, w.wait);
    } else if (a.objects.size < this.limits.objects && a.count <= this.limits.objects * OBJECT_LOOKS) {
      const o = waitObject(g.frames, at);
      if (o !== undefined) addObject(a, o);
    }
  }

  /** Makes room for this many goroutines in all (untouched room costs no memory until used). */
  reserve(n: number): void {
    this.startIds.reserve(n);
    this.startFns.reserve(n);
  }

  /**
   * This grouper's content as plain data, for a grouper on another thread to merge (parts merged in
   * input order give the groups one grouper gives). Goroutine ids are not kept (keepIds is for snapshots).
   * The start columns are views of this grouper's buffers (no copy): once they are transferred to
   * another thread, use the grouper no more.
   */
  partial(): GrouperPartial {
    return {
      total: this.total,
      signatures: this.sigs.export(),
      sites: this.sites.sites,
      groups: [...this.byKey.values()].map((a) => ({
        ...a,
        key: "",
        ids: new Set(),
        parents: a.parents.toArray(),
      })),
      startIds: this.startIds.view(),
      startFns: this.startFns.view(),
      startNames: this.startNames.names,
      lockWaits: this.waits.partial(),
      holds: this.holds.partial(),
    };
  }

  /** Adds a later part's groups (see partial). */
  merge(p: GrouperPartial): void {
    this.total += p.total;
    const sig = this.sigs.import(p.signatures);
    const site = p.sites.map((x) => this.sites.intern(x));
    for (const b of p.groups) {
      const s = sig[b.sig]!;
      const t = site[b.site]!;
      const k = groupNumber(t, s);
      const a = this.byKey.get(k);
      if (!a) {
        // Copied across threads, the shared empty map and set are an empty map and set of their own.
        this.byKey.set(k, {
          ...b,
          sig: s,
          site: t,
          key: "",
          parents: new IdSet(b.parents),
          states: b.states.size > 0 ? b.states : NO_STATES,
          objects: b.objects.size > 0 ? b.objects : NO_OBJECTS,
        });
        continue;
      }
      a.count += b.count;
      if (b.minWait < a.minWait) a.minWait = b.minWait;
      if (b.maxWait > a.maxWait) a.maxWait = b.maxWait;
      // As if both parts had been added here: this group's run ends, then the later part's states in
      // the order they came (its run last).
      if (a.runCount > 0) addState(a, a.runState, a.runCount);
      a.runCount = 0;
      for (const [st, c] of stateCounts(b)) addState(a, st, c);
      for (const id of b.samples) if (a.samples.length < this.samples) a.samples.push(id);
      for (const q of b.parents) if (a.parents.size < PARENTS_KEPT) a.parents.add(q);
      a.leaked += b.leaked;
      for (const o of b.objects) if (a.objects.size < this.limits.objects) addObject(a, o);
    }
    this.waits.append(p.lockWaits, sig, site, this.limits.lockWaits);
    this.holds.merge(p.holds, sig, site);
    this.startIds.append(p.startIds);
    this.startFns.appendMapped(
      p.startFns,
      p.startNames.map((fn) => this.startNames.id(fn)),
    );
    this.startIndex = undefined;
  }

  /** The stable key of a group (signature + creator site): spawn-graph's, which its tree nodes carry too. */
  keyOf(a: GroupTally): string {
    if (a.key === "") a.key = groupKey(this.sigs.text(a.sig), this.sites.sites[a.site] ?? null);
    return a.key;
  }
}
