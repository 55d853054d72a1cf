// What a leak analysis returns: findings (one per group of goroutines), their order and the report's counts.
import type { StateClass } from "@gosleuth/model";
import type { Incident } from "./incident.ts";
import type { Severity } from "./settings.ts";

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
  /**
   * Stable key of the group: signature and creator site (comparable across snapshots of one binary),
   * made by @gosleuth/spawn-graph's `groupKey`; the aggregated tree nodes holding these goroutines are
   * the nodes whose `nodeGroupKey` is this key.
   */
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
  /** Known-benign on its own but part of a leak incident (then `benign` is false; the incident's severity applies). */
  benignAlone?: boolean;
  /** The id of the incident holding it (`I1` ...), when it is in one. */
  incident?: string;
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
  version: 2;
  input: {
    format: string;
    goroutines: number;
    snapshots: number;
    names?: string[];
    times?: SnapshotTimes;
    /** What the input cannot show (debug=1/debug=0 profiles: no wait times, states, ids or parents). */
    limits?: string;
  };
  /** The findings gathered by cause, most severe first; every finding of severity low or above is in exactly one. */
  incidents: Incident[];
  findings: Finding[];
  summary: { high: number; medium: number; low: number; info: number; proven: number };
  /**
   * The lowest score of each severity (the settings' `severity`). A score is the sum of a finding's
   * factors, in points, with no upper bound: it is read against these, not as a percentage.
   */
  thresholds?: { high: number; medium: number; low: number };
}

const RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

/** Most severe first, then by score and size; the key breaks ties so the order never depends on input order. */
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
