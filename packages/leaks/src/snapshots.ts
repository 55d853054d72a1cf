// Leaks over time: the same groups followed across snapshots of one process, and the diff of two snapshots.
import { type Goroutine, startFunctionName } from "@gosleuth/model";
import { type Finding, type Growth, type LeakReport, sortFindings, summarize } from "./finding.ts";
import { Grouper, type GroupTally, stateCounts } from "./grouper.ts";
import { buildIncidents } from "./incident.ts";
import { scoreGroup } from "./score.ts";
import { type LeakSettings, type PartialLeakSettings, resolveSettings } from "./settings.ts";

export interface Snapshot {
  goroutines: readonly Goroutine[];
  /** When it was taken; without it, snapshots are assumed one minute apart. */
  takenAt?: Date;
  label?: string;
  /** The dump's `fatal error:`/`panic:` messages (see runtimeVerdict). */
  verdict?: readonly string[];
  /** False when the dump looks cut short (DumpInfo.truncated): a goroutine not printed could call a WaitGroup's Done. */
  complete?: boolean;
}

function groupSnapshot(s: Snapshot, samples: number, settings?: LeakSettings): Grouper {
  const g = new Grouper(
    samples,
    true,
    settings && {
      objects: settings.incidents.maxObjectsPerGroup,
      lockWaits: settings.incidents.maxLockWaits,
      chanWaits: settings.incidents.maxChannelWaits,
    },
  );
  for (const x of s.goroutines) g.add(x);
  return g;
}

/**
 * Classifies a series of counts. Growing: never shrinks and ends at least 20% (and 3 goroutines)
 * above where it started. Flat: stays within max(2, 10%) of its mean. Shrinking: the mirror of
 * growing. Anything else fluctuates (busy connection pools, request bursts).
 */
export function verdictOf(counts: number[]): Growth["verdict"] {
  const first = counts[0] ?? 0;
  const last = counts[counts.length - 1] ?? 0;
  if (first === 0 && counts.slice(0, -1).every((c) => c === 0) && last > 0) return "new";
  if (last === 0 && first > 0 && counts.slice(1).every((c) => c === 0)) return "gone";
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  const spread = Math.max(...counts) - Math.min(...counts);
  if (spread <= Math.max(2, 0.1 * mean)) return "flat";
  let up = true;
  let down = true;
  for (let i = 1; i < counts.length; i++) {
    if (counts[i]! < counts[i - 1]!) up = false;
    if (counts[i]! > counts[i - 1]!) down = false;
  }
  const delta = last - first;
  if (up && delta >= Math.max(3, 0.2 * Math.max(1, first))) return "growing";
  if (down && -delta >= Math.max(3, 0.2 * Math.max(1, first))) return "shrinking";
  return "fluctuating";
}

/**
 * The growth of one group from its counts and longest waits at each snapshot, `elapsed` minutes from the
 * first to the last. `persisted` says whether a goroutine of the first snapshot is still there in the last;
 * it is asked only when the group is in both and the window is long enough to judge waits.
 */
export function growthOf(
  counts: number[],
  waits: number[],
  elapsed: number,
  persisted: () => boolean,
): Growth {
  const last = counts.length - 1;
  const verdict = verdictOf(counts);
  const ratePerMinute = elapsed > 0 ? (counts[last]! - counts[0]!) / elapsed : 0;
  // Waits that keep pace with the clock: the oldest goroutine never woke up between snapshots.
  let waitGrowsWithClock = false;
  if (elapsed >= 2 && counts[0]! > 0 && counts[last]! > 0) {
    const dw = waits[last]! - waits[0]!;
    waitGrowsWithClock = dw >= 0.5 * elapsed && persisted();
  }
  return { counts, ratePerMinute, verdict, waitGrowsWithClock };
}

export function minutesBetween(snaps: readonly Pick<Snapshot, "takenAt">[]): number[] {
  const t0 = snaps[0]?.takenAt?.getTime();
  return snaps.map((s, i) => (t0 !== undefined && s.takenAt ? (s.takenAt.getTime() - t0) / 60_000 : i));
}

/**
 * Scores the groups of the last snapshot (and groups that vanished) with growth across all of them.
 * Groups are tied across snapshots by signature and creator site; a group whose goroutine ids persist
 * from one snapshot to the next is the same group by construction.
 */
export function analyzeSnapshots(
  snapshots: Snapshot[],
  settings?: PartialLeakSettings | LeakSettings,
): LeakReport {
  const s = resolveSettings(settings as PartialLeakSettings | undefined);
  if (snapshots.length === 0) {
    return {
      version: 2,
      input: { format: "unknown", goroutines: 0, snapshots: 0 },
      incidents: [],
      findings: [],
      summary: summarize([]),
    };
  }
  const groupers = snapshots.map((x) => groupSnapshot(x, s.samples, s));
  const minutes = minutesBetween(snapshots);
  const elapsed = minutes[minutes.length - 1]! - minutes[0]!;
  // key → per-snapshot accumulators
  const series = new Map<string, (GroupTally | undefined)[]>();
  groupers.forEach((gr, i) => {
    for (const a of gr.groups.values()) {
      const k = gr.keyOf(a);
      let row = series.get(k);
      if (!row) series.set(k, (row = new Array(groupers.length).fill(undefined)));
      row[i] = a;
    }
  });
  const last = groupers.length - 1;
  const findings: Finding[] = [];
  for (const row of series.values()) {
    const counts = row.map((a) => a?.count ?? 0);
    const waits = row.map((a) => a?.maxWait ?? 0);
    const growth = growthOf(counts, waits, elapsed, () =>
      [...row[0]!.ids].some((id) => row[last]!.ids.has(id)),
    );
    const idx = row[last] ? last : row.findLastIndex((a) => a !== undefined);
    const acc = row[idx]!;
    const f = scoreGroup(groupers[idx]!, acc, s, { growth, elapsedMinutes: elapsed });
    if (!row[last]) {
      f.count = 0;
      f.reasons.unshift(`gone by the last snapshot (last seen with ${acc.count} goroutines)`);
      if (f.severity !== "info") f.severity = "info";
    }
    findings.push(f);
  }
  sortFindings(findings);
  const lastSnap = snapshots[last]!;
  const incidents = buildIncidents({
    findings,
    grouper: groupers[last],
    verdict: lastSnap.verdict,
    settings: s,
    complete: lastSnap.complete ?? true,
  });
  const report: LeakReport = {
    version: 2,
    input: { format: "debug2", goroutines: lastSnap.goroutines.length, snapshots: snapshots.length },
    incidents,
    findings,
    summary: summarize(findings),
    thresholds: { ...s.severity },
  };
  const names = snapshots.map((x) => x.label).filter((x): x is string => x !== undefined);
  if (names.length === snapshots.length) report.input.names = names;
  return report;
}

export interface DiffEntry {
  key: string;
  startFunction: string;
  state: string;
  creator: string | null;
  before: number;
  after: number;
  delta: number;
  waitBefore: { min: number; max: number } | null;
  waitAfter: { min: number; max: number } | null;
}

export interface DumpDiff {
  version: 1;
  before: number;
  after: number;
  new: DiffEntry[];
  gone: DiffEntry[];
  grown: DiffEntry[];
  shrunk: DiffEntry[];
  unchanged: number;
}

/**
 * Groups new, gone, grown and shrunk between two snapshots. A change counts when it is at least
 * `minDelta` goroutines and `minRatio` of the smaller count (defaults 3 and 10%), so a pool of
 * keep-alive connections going from 2 to 3 is not reported as growth.
 */
export function diff(
  before: Pick<Snapshot, "goroutines">,
  after: Pick<Snapshot, "goroutines">,
  o: { minDelta?: number; minRatio?: number } = {},
): DumpDiff {
  const minDelta = o.minDelta ?? 3;
  const minRatio = o.minRatio ?? 0.1;
  const a = groupSnapshot(before, 10);
  const b = groupSnapshot(after, 10);
  const left = new Map([...a.groups.values()].map((g) => [a.keyOf(g), g]));
  const right = new Map([...b.groups.values()].map((g) => [b.keyOf(g), g]));
  const out: DumpDiff = {
    version: 1,
    before: a.total,
    after: b.total,
    new: [],
    gone: [],
    grown: [],
    shrunk: [],
    unchanged: 0,
  };
  const entry = (k: string, x: GroupTally | undefined, y: GroupTally | undefined): DiffEntry => {
    const frames = (y ?? x)!.frames;
    const site = (y ? b : a).sites.sites[(y ?? x)!.site];
    let state = "";
    let best = -1;
    for (const [s, c] of stateCounts((y ?? x)!)) if (c > best) [state, best] = [s, c];
    return {
      key: k,
      startFunction: startFunctionName(frames),
      state,
      creator: site ? `${site.function} ${site.file}:${site.line}` : null,
      before: x?.count ?? 0,
      after: y?.count ?? 0,
      delta: (y?.count ?? 0) - (x?.count ?? 0),
      waitBefore: x ? { min: x.minWait, max: x.maxWait } : null,
      waitAfter: y ? { min: y.minWait, max: y.maxWait } : null,
    };
  };
  for (const k of new Set([...left.keys(), ...right.keys()])) {
    const x = left.get(k);
    const y = right.get(k);
    const e = entry(k, x, y);
    const big = Math.abs(e.delta) >= Math.max(minDelta, minRatio * Math.min(e.before, e.after));
    if (!x && y) out.new.push(e);
    else if (x && !y) out.gone.push(e);
    else if (big && e.delta > 0) out.grown.push(e);
    else if (big && e.delta < 0) out.shrunk.push(e);
    else out.unchanged++;
  }
  const byDelta = (p: DiffEntry, q: DiffEntry) => Math.abs(q.delta) - Math.abs(p.delta);
  out.new.sort(byDelta);
  out.gone.sort(byDelta);
  out.grown.sort(byDelta);
  out.shrunk.sort(byDelta);
  return out;
}
