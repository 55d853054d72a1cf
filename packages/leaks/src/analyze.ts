// Leak findings: goroutines grouped by signature and creator site, scored from explainable factors.
import { type Dump, type Frame, formatCount, type Goroutine, type StateClass } from "@gosleuth/model";
import {
  type CreatorSite,
  Growable,
  type InternedSignatures,
  NameTable,
  SignatureInterner,
  SiteInterner,
  sortById,
} from "@gosleuth/spawn-graph";
import {
  type LeakSettings,
  matches,
  type PartialLeakSettings,
  resolveSettings,
  type Severity,
} from "./settings.ts";

export type Category =
  | "nil-channel"
  | "empty-select"
  | "blocked-chan-send"
  | "blocked-chan-receive"
  | "blocked-select"
  | "cond-wait"
  | "lock-wait"
  | "waitgroup-wait"
  | "semaphore-wait"
  | "io-wait"
  | "sleep"
  | "running"
  | "runtime"
  | "benign"
  | "ignored"
  | "other";

export interface Location {
  function: string;
  file: string;
  line: number;
}

export interface Growth {
  /** Goroutines in the group at each snapshot, oldest first. */
  counts: number[];
  /** Net change per minute between the first and the last snapshot. */
  ratePerMinute: number;
  verdict: "growing" | "shrinking" | "flat" | "fluctuating" | "new" | "gone";
  /** The longest wait grew about as fast as the clock (goroutines that never wake up). */
  waitGrowsWithClock: boolean;
}

export interface Finding {
  /** Stable key of the group: signature and creator site (comparable across snapshots of one binary). */
  key: string;
  severity: Severity;
  score: number;
  count: number;
  /** Most common raw state. */
  state: string;
  stateClass: StateClass;
  category: Category;
  waitMinutes: { min: number; max: number };
  /** First frame outside the runtime and the standard library's sync/chan/time internals. */
  blockingFrame: Location | null;
  /** The function the goroutines were started with. */
  startFunction: string;
  creator: Location | null;
  /** Distinct parent goroutines (when the dump prints parent ids). */
  parents: number;
  reasons: string[];
  sampleIds: number[];
  signature: string;
  /** The runtime's goroutineleak GC proved these goroutines leaked (`(leaked)` in the header). */
  proven: boolean;
  /** Known-benign shape (runtime workers, idle keep-alive connections, signal handlers ...). */
  benign: boolean;
  growth?: Growth;
  /** Score parts, for explanations and tuning. */
  factors: Record<string, number>;
}

/** Where the snapshots' times came from: growth per minute is measured only when they are not assumed. */
export interface SnapshotTimes {
  source: "fetched" | "file-times" | "interval" | "assumed";
  assumed: boolean;
  minutesApart?: number;
}

export interface LeakReport {
  version: 1;
  input: { format: string; goroutines: number; snapshots: number; names?: string[]; times?: SnapshotTimes };
  findings: Finding[];
  summary: { high: number; medium: number; low: number; info: number; proven: number };
}

const fmt = formatCount;

/** A rate per minute: one decimal below 100, whole numbers with thousands separators above (`35,847`). */
export function formatRate(r: number): string {
  const sign = r > 0 ? "+" : "";
  return Math.abs(r) >= 100 ? `${sign}${fmt(Math.round(r))}` : `${sign}${r.toFixed(1)}`;
}

/** Frames that are the machinery of blocking, not the code that blocked. */
function isInternal(fn: string): boolean {
  return (
    fn.startsWith("runtime.") ||
    fn.startsWith("internal/") ||
    fn.startsWith("sync.") ||
    fn.startsWith("sync/atomic.") ||
    fn === "time.Sleep" ||
    fn.startsWith("context.") ||
    fn.startsWith("reflect.") ||
    fn === "panic" ||
    fn.startsWith("os/signal.") ||
    fn.startsWith("net.(*netFD)") ||
    fn.startsWith("net.(*conn)") ||
    fn.startsWith("syscall.")
  );
}

export function blockingFrame(frames: readonly Frame[]): Location | null {
  for (const f of frames)
    if (!isInternal(f.fn.full)) return { function: f.fn.full, file: f.file, line: f.line };
  const f = frames[0];
  return f ? { function: f.fn.full, file: f.file, line: f.line } : null;
}

const REQUEST_HANDLERS = [
  "net/http.(*conn).serve",
  "golang.org/x/net/http2.(*serverConn).runHandler",
  "google.golang.org/grpc.(*Server).handleStream",
  "google.golang.org/grpc.(*Server).serveStreams.func1.1",
  "google.golang.org/grpc.(*Server).serveStreams.func1.2",
];

interface Benign {
  why: string;
  test: (start: string, top: string, cls: StateClass, g: Goroutine) => boolean;
}

/** Shapes that are healthy by construction; shown as info with the reason, never hidden. */
const BENIGN: Benign[] = [
  { why: "runtime or GC worker", test: (_s, _t, cls) => cls === "gc" || cls === "runtime" || cls === "idle" },
  { why: "runtime-internal goroutine", test: (s) => s.startsWith("runtime.") || s === "" },
  {
    why: "signal handler loop (os/signal)",
    test: (s, t) => s.startsWith("os/signal.") || t === "os/signal.signal_recv",
  },
  {
    why: "idle HTTP keep-alive connection waiting for its next request",
    test: (s, _t, cls) => s === "net/http.(*conn).serve" && cls === "io-wait",
  },
  { why: "HTTP connection's background reader", test: (s) => s === "net/http.(*connReader).backgroundRead" },
  {
    why: "HTTP client keep-alive connection (persistConn loop)",
    test: (s) => s === "net/http.(*persistConn).readLoop" || s === "net/http.(*persistConn).writeLoop",
  },
  {
    why: "`select {}` in main keeps the program alive",
    test: (s, _t, cls) => cls === "select-no-cases" && s === "main.main",
  },
  { why: "main goroutine", test: (s, _t, cls) => s === "main.main" && cls !== "chan-nil" },
  {
    why: "network listener accepting connections",
    test: (_s, t, cls) =>
      cls === "io-wait" && /\.Accept$|\(\*TCPListener\)\.accept|\(\*netFD\)\.accept/.test(t),
  },
];

const CATEGORY: Partial<Record<StateClass, Category>> = {
  "chan-nil": "nil-channel",
  "select-no-cases": "empty-select",
  "chan-send": "blocked-chan-send",
  "chan-receive": "blocked-chan-receive",
  select: "blocked-select",
  cond: "cond-wait",
  mutex: "lock-wait",
  rwmutex: "lock-wait",
  waitgroup: "waitgroup-wait",
  semacquire: "semaphore-wait",
  "io-wait": "io-wait",
  syscall: "io-wait",
  sleep: "sleep",
  running: "running",
  runnable: "running",
  gc: "runtime",
  runtime: "runtime",
  idle: "runtime",
};

const STATE_WORDS: Partial<Record<StateClass, string>> = {
  "chan-nil": "blocked forever on a nil channel",
  "select-no-cases": "blocked forever in `select {}`",
  "chan-send": "blocked on chan send",
  "chan-receive": "blocked on chan receive",
  select: "blocked in select",
  cond: "waiting on sync.Cond",
  mutex: "waiting for a sync.Mutex",
  rwmutex: "waiting for a sync.RWMutex",
  waitgroup: "waiting on sync.WaitGroup",
  semacquire: "waiting on a semaphore",
  "io-wait": "in IO wait",
  syscall: "in a syscall",
  sleep: "sleeping",
  running: "running",
  runnable: "runnable",
};

/** Per-group accumulator filled in one pass over the goroutines. */
export interface GroupAcc {
  key: string;
  sig: number;
  site: number;
  count: number;
  minWait: number;
  maxWait: number;
  states: Map<string, number>;
  stateClass: StateClass;
  samples: number[];
  parents: Set<number>;
  missingParents: number;
  leaked: number;
  first: Goroutine;
  ids: Set<number>;
  /** States not yet counted in `states`: the last one seen and how many in a row (see Grouper.flush). */
  runState: string;
  runCount: number;
  /** The parent id last added to `parents` (siblings with one parent often come in a row). */
  lastParent: number;
}

/** A Grouper's content as plain data (see Grouper.partial). */
export interface GrouperPartial {
  total: number;
  signatures: InternedSignatures;
  sites: (CreatorSite | null)[];
  groups: GroupAcc[];
  /** Start function of every goroutine: ids, and indexes into startNames. */
  startIds: Float64Array;
  startFns: Int32Array;
  startNames: string[];
}

/** Groups goroutines by signature and creator site in one pass. */
export class Grouper {
  readonly sigs = new SignatureInterner();
  readonly sites = new SiteInterner();
  private readonly byKey = new Map<number, GroupAcc>();

  /** The groups, by signature and creator site (every count up to date). */
  get groups(): ReadonlyMap<number, GroupAcc> {
    this.flush();
    return this.byKey;
  }

  /** Counts the states still held as runs (adding a goroutine only bumps its group's run). */
  private flush(): void {
    for (const a of this.byKey.values()) {
      if (a.runCount > 0) a.states.set(a.runState, (a.states.get(a.runState) ?? 0) + a.runCount);
      a.runCount = 0;
    }
  }
  // Start function of every goroutine, as columns (id, index into startNames), looked up by id through
  // a sorted index built when first needed: far smaller and cheaper than a Map of every goroutine.
  private readonly startIds = new Growable(Float64Array);
  private readonly startFns = new Growable(Int32Array);
  private readonly startNames = new NameTable();
  private startIndex: { order: Int32Array; sorted: Float64Array } | undefined;

  /** The start function of the goroutine with this id (the last one seen with it), if it is in the dump. */
  startOf(id: number): string | undefined {
    this.startIndex ??= sortById(this.startIds.view());
    const { order, sorted } = this.startIndex;
    // The last position holding `id` (ties are in input order; the last goroutine seen wins).
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= id) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0 || sorted[lo - 1] !== id) return undefined;
    return this.startNames.names[this.startFns.data[order[lo - 1]!]!];
  }
  total = 0;

  constructor(
    private readonly samples = 10,
    private readonly keepIds = false,
  ) {}

  // The start function of each signature (a signature fixes the stack's functions), and the group
  // last added to: siblings usually come one after another.
  private readonly startOfSig: number[] = [];
  private lastKey = -1;
  private lastGroup: GroupAcc | undefined;

  add(g: Goroutine): void {
    this.total++;
    const sig = this.sigs.id(g);
    const site = this.sites.id(g.createdBy);
    const k = site * 16_777_216 + sig;
    let startFn = this.startOfSig[sig];
    if (startFn === undefined) {
      startFn = this.startNames.id(g.frames[g.frames.length - 1]?.fn.full ?? "");
      this.startOfSig[sig] = startFn;
    }
    this.startIds.push(g.id);
    this.startFns.push(startFn);
    this.startIndex = undefined;
    let a = k === this.lastKey ? this.lastGroup : this.byKey.get(k);
    if (!a) {
      a = {
        key: "",
        sig,
        site,
        count: 0,
        minWait: Number.POSITIVE_INFINITY,
        maxWait: 0,
        states: new Map(),
        stateClass: g.stateClass,
        samples: [],
        parents: new Set(),
        missingParents: 0,
        leaked: 0,
        first: g,
        ids: new Set(),
        runState: g.state,
        runCount: 0,
        lastParent: Number.NaN,
      };
      this.byKey.set(k, a);
    }
    this.lastKey = k;
    this.lastGroup = a;
    a.count++;
    if (g.waitMinutes < a.minWait) a.minWait = g.waitMinutes;
    if (g.waitMinutes > a.maxWait) a.maxWait = g.waitMinutes;
    if (g.state === a.runState) a.runCount++;
    else {
      if (a.runCount > 0) a.states.set(a.runState, (a.states.get(a.runState) ?? 0) + a.runCount);
      a.runState = g.state;
      a.runCount = 1;
    }
    if (a.samples.length < this.samples) a.samples.push(g.id);
    const p = g.createdBy?.parentId;
    if (p !== undefined && p !== a.lastParent) {
      a.lastParent = p;
      if (a.parents.size < 10_000) a.parents.add(p);
    }
    if (g.leaked) a.leaked++;
    if (this.keepIds) a.ids.add(g.id);
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
    this.flush();
    return {
      total: this.total,
      signatures: this.sigs.export(),
      sites: this.sites.sites,
      groups: [...this.byKey.values()].map((a) => ({ ...a, key: "", ids: new Set() })),
      startIds: this.startIds.view(),
      startFns: this.startFns.view(),
      startNames: this.startNames.names,
    };
  }

  /** Adds a later part's groups (see partial). */
  merge(p: GrouperPartial): void {
    this.flush();
    this.total += p.total;
    const sig = this.sigs.import(p.signatures);
    const site = p.sites.map((x) => this.sites.intern(x));
    for (const b of p.groups) {
      const s = sig[b.sig]!;
      const t = site[b.site]!;
      const k = t * 16_777_216 + s;
      const a = this.byKey.get(k);
      if (!a) {
        this.byKey.set(k, { ...b, sig: s, site: t, key: "" });
        continue;
      }
      a.count += b.count;
      if (b.minWait < a.minWait) a.minWait = b.minWait;
      if (b.maxWait > a.maxWait) a.maxWait = b.maxWait;
      for (const [st, c] of b.states) a.states.set(st, (a.states.get(st) ?? 0) + c);
      for (const id of b.samples) if (a.samples.length < this.samples) a.samples.push(id);
      for (const q of b.parents) if (a.parents.size < 10_000) a.parents.add(q);
      a.leaked += b.leaked;
    }
    this.startIds.append(p.startIds);
    this.startFns.appendMapped(
      p.startFns,
      p.startNames.map((fn) => this.startNames.id(fn)),
    );
    this.startIndex = undefined;
  }

  /** The stable key of a group (signature + creator site). */
  keyOf(a: GroupAcc): string {
    if (a.key === "") {
      const s = this.sites.sites[a.site];
      a.key = `${this.sigs.text(a.sig)}\n@${s ? `${s.function} ${s.file}:${s.line}` : "root"}`;
    }
    return a.key;
  }
}

/** Scores one group; `extra` adds growth factors from snapshots. */
export function scoreGroup(
  grouper: Grouper,
  a: GroupAcc,
  settings: LeakSettings,
  extra?: { growth?: Growth; elapsedMinutes?: number },
): Finding {
  const w = settings.weights;
  const g = a.first;
  const start = g.frames[g.frames.length - 1]?.fn.full ?? "";
  const top = g.frames[0]?.fn.full ?? "";
  const cls = a.stateClass;
  const creatorSite = grouper.sites.sites[a.site] ?? null;
  const creator = creatorSite ? { ...creatorSite } : null;
  const bf = blockingFrame(g.frames);
  const factors: Record<string, number> = {};
  const reasons: string[] = [];
  let state = "";
  let best = -1;
  for (const [s, c] of a.states) {
    if (c > best) {
      state = s;
      best = c;
    }
  }
  const count = a.count;
  const waitMin = Number.isFinite(a.minWait) ? a.minWait : 0;
  const waitMax = a.maxWait;
  const stateWords = STATE_WORDS[cls] ?? `in state "${state}"`;
  const forWait = waitMax > 0 ? ` for up to ${fmt(waitMax)} minute${waitMax === 1 ? "" : "s"}` : "";
  const who = `${fmt(count)} goroutine${count === 1 ? "" : "s"}`;

  // State.
  if (cls === "chan-nil" || (cls === "select-no-cases" && start !== "main.main"))
    factors.state = w.foreverBlocked;
  else if (
    ["chan-send", "chan-receive", "select", "cond", "mutex", "rwmutex", "waitgroup", "semacquire"].includes(
      cls,
    )
  )
    factors.state = w.blocked;
  else if (cls === "io-wait" || cls === "syscall") factors.state = w.io;
  else factors.state = 0;

  // Size and wait.
  factors.size = Math.min(w.sizeMax, 5 * Math.log10(Math.max(1, count)));
  factors.wait = Math.min(w.waitMax, 3 * Math.log2(1 + waitMax));

  // Creator: per request or start-up.
  const parentStarts = new Set<string>();
  let missing = 0;
  for (const p of a.parents) {
    const s = grouper.startOf(p);
    if (s === undefined) missing++;
    else parentStarts.add(s);
  }
  const creatorFn = creator?.function ?? "";
  const handlerParent = [...parentStarts].find((s) => REQUEST_HANDLERS.includes(s));
  const startupCreator = /^main\.main$|(^|\.)init(\.\d+)?$|\.init\.func\d+$/.test(creatorFn);
  let perRequest = false;
  if (handlerParent) {
    perRequest = true;
    reasons.push(
      `${who} ${stateWords}${forWait}, all created per request by ${creatorFn} (in ${handlerParent} goroutines)`,
    );
  } else if (a.parents.size >= settings.perRequestParents) {
    perRequest = true;
    reasons.push(
      `${who} ${stateWords}${forWait}, created by ${creatorFn} from ${fmt(a.parents.size)} different goroutines (per request or connection)`,
    );
  } else if (a.parents.size === 0 && creatorFn && !startupCreator && count >= 50) {
    perRequest = true;
    reasons.push(
      `${who} ${stateWords}${forWait}, all from one creation site in ${creatorFn} (no parent ids in this dump: Go before 1.21)`,
    );
  }
  if (perRequest) factors.perRequest = w.perRequest;
  else if (
    (startupCreator || a.parents.size === 1) &&
    count <= settings.startupMaxCount &&
    !(a.parents.size > 0 && missing === a.parents.size)
  ) {
    factors.startup = -w.startup;
    reasons.push(
      `${who} ${stateWords}${forWait}, started once by ${creatorFn || "the runtime"} (a pool or background loop, usually healthy)`,
    );
  } else {
    reasons.push(`${who} ${stateWords}${forWait}${creatorFn ? `, created by ${creatorFn}` : ""}`);
  }
  if (a.parents.size > 0 && missing === a.parents.size) {
    factors.orphaned = w.orphaned;
    reasons.push(`their creating goroutine${a.parents.size === 1 ? " has" : "s have"} exited (orphans)`);
  }
  if (bf && bf.function !== start) reasons.push(`blocked at ${bf.function} (${bf.file}:${bf.line})`);
  if (cls === "chan-nil")
    reasons.push("a nil channel never becomes ready: these goroutines can never proceed");

  // Runtime proof.
  const proven = a.leaked > 0;
  if (proven) {
    factors.proven = w.provenByRuntime;
    reasons.unshift(
      `the runtime's goroutineleak profile proved ${a.leaked === count ? "all of them" : `${fmt(a.leaked)} of them`} leaked`,
    );
  }

  // Growth across snapshots.
  const growth = extra?.growth;
  if (growth) {
    // The words say what the numbers show; the series itself is in `growth.counts` (and printed once by the reports).
    const c = growth.counts;
    if (growth.verdict === "growing") {
      factors.growth = w.growing;
      const everyStep = c.every((x, i) => i === 0 || x > c[i - 1]!);
      const first = c[0] ?? 0;
      const overall =
        first > 0 ? `${fmt(Math.round(((c[c.length - 1]! - first) / first) * 100))}% overall` : "from none";
      reasons.push(
        `${everyStep ? "grew in every snapshot" : "never shrank"}, ${overall} (${formatRate(growth.ratePerMinute)}/min)`,
      );
    } else if (growth.verdict === "flat") {
      factors.growth = -w.flat;
      reasons.push("flat across snapshots");
    } else if (growth.verdict === "fluctuating") {
      reasons.push("fluctuates across snapshots, not a steady climb");
    }
    if (growth.waitGrowsWithClock)
      reasons.push("their longest wait grows with the clock: they never wake up");
  }

  let score = Object.values(factors).reduce((x, y) => x + y, 0);
  score = Math.max(0, Math.round(score * 10) / 10);

  // Benign shapes and ignore rules: info, with the reason first.
  const benign = BENIGN.find((b) => b.test(start, top, cls, g));
  const ignored =
    matches(settings.ignore.topFunction, top) ||
    (creatorFn !== "" && matches(settings.ignore.creator, creatorFn)) ||
    g.frames.some((f) => matches(settings.ignore.function, f.fn.full));
  let severity: Severity;
  if (benign && !proven) {
    severity = "info";
    reasons.unshift(`known-benign: ${benign.why}`);
  } else if (ignored && !proven) {
    severity = "info";
    reasons.unshift("ignored by the settings' ignore rules");
  } else if (score >= settings.severity.high) severity = "high";
  else if (score >= settings.severity.medium) severity = "medium";
  else if (score >= settings.severity.low) severity = "low";
  else severity = "info";
  if (!proven && count < settings.minCountForMedium && (severity === "high" || severity === "medium")) {
    severity = "low";
    reasons.push(`only ${who}: capped at low`);
  }
  if (proven && severity !== "high") severity = "high";

  const category: Category =
    benign && !proven ? "benign" : ignored && !proven ? "ignored" : (CATEGORY[cls] ?? "other");
  const f: Finding = {
    key: grouper.keyOf(a),
    severity,
    score,
    count,
    state,
    stateClass: cls,
    category,
    waitMinutes: { min: waitMin, max: waitMax },
    blockingFrame: bf,
    startFunction: start,
    creator,
    parents: a.parents.size,
    reasons,
    sampleIds: a.samples.slice(0, settings.samples),
    signature: grouper.sigs.text(a.sig),
    proven,
    benign: Boolean(benign),
    factors,
  };
  if (growth) f.growth = growth;
  return f;
}

const RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

export function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort(
    (a, b) =>
      RANK[b.severity] - RANK[a.severity] ||
      b.score - a.score ||
      b.count - a.count ||
      (a.key < b.key ? -1 : 1),
  );
}

export function summarize(findings: Finding[]): LeakReport["summary"] {
  const s = { high: 0, medium: 0, low: 0, info: 0, proven: 0 };
  for (const f of findings) {
    s[f.severity]++;
    if (f.proven) s.proven++;
  }
  return s;
}

/**
 * Streaming analysis: feed goroutines as they are parsed (`add`), get the report at the end. Keeps one
 * accumulator per group and one number per goroutine, never the goroutines themselves.
 */
export class LeakAnalyzer {
  private readonly settings: LeakSettings;
  private readonly grouper: Grouper;

  constructor(
    settings?: PartialLeakSettings | LeakSettings,
    private readonly format = "unknown",
  ) {
    this.settings = resolveSettings(settings as PartialLeakSettings | undefined);
    this.grouper = new Grouper(this.settings.samples);
  }

  add(g: Goroutine): void {
    this.grouper.add(g);
  }

  /** The analysis so far as plain data, for an analyzer on another thread to merge. */
  partial(): GrouperPartial {
    return this.grouper.partial();
  }

  /** Adds a later part of the same dump (see Grouper.partial). */
  merge(p: GrouperPartial): void {
    this.grouper.merge(p);
  }

  /** Makes room for this many goroutines in all. */
  reserve(n: number): void {
    this.grouper.reserve(n);
  }

  finish(): LeakReport {
    const findings = sortFindings(
      [...this.grouper.groups.values()].map((a) => scoreGroup(this.grouper, a, this.settings)),
    );
    return {
      version: 1,
      input: { format: this.format, goroutines: this.grouper.total, snapshots: 1 },
      findings,
      summary: summarize(findings),
    };
  }
}

/** Scores every group of one dump. */
export function analyzeLeaks(
  input: Pick<Dump, "goroutines"> & Partial<Pick<Dump, "format">>,
  settings?: PartialLeakSettings | LeakSettings,
): LeakReport {
  const a = new LeakAnalyzer(settings, input.format ?? "unknown");
  for (const g of input.goroutines) a.add(g);
  return a.finish();
}
