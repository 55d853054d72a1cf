// Growth over a sliding window of snapshots that keeps, per snapshot, only each group's count, longest wait
// and oldest goroutine ids: what a long-running watcher of many processes can afford to hold.
import type { Goroutine } from "@gosleuth/model";
import { type Finding, type LeakReport, sortFindings, summarize } from "./finding.ts";
import { Grouper, type GroupTally } from "./grouper.ts";
import { buildIncidents } from "./incident.ts";
import { scoreGroup } from "./score.ts";
import { type LeakSettings, type PartialLeakSettings, resolveSettings } from "./settings.ts";
import { growthOf, minutesBetween } from "./snapshots.ts";

/** Oldest goroutine ids kept per group and snapshot: enough to tell whether old goroutines are still there. */
const OLDEST_IDS = 8;

interface WindowGroup {
  count: number;
  maxWait: number;
  /** The smallest goroutine ids of the group (ids grow with creation time: the oldest goroutines). */
  oldest: number[];
}

interface TalliedSnapshot {
  takenAt: Date;
  goroutines: number;
  groups: Map<string, WindowGroup>;
}

/** One snapshot being added to a window: feed its goroutines, then `finish`. */
export interface WindowScan {
  add(g: Goroutine): void;
  /** Scores the snapshot's groups with their growth over the window (this snapshot included). */
  finish(): LeakReport;
}

/**
 * The last `size` snapshots of one process, as group tallies. Each new snapshot is grouped in full (one
 * grouper, dropped once scored), then reduced to its tally, so memory is bounded by groups, not goroutines.
 * Findings equal `analyzeSnapshots` over the same snapshots, except that a goroutine's persistence from the
 * first snapshot to the last is judged on each group's oldest ids rather than on all of them, and a group that
 * went away keeps the score it had when last seen (it is info either way).
 */
export class SnapshotWindow {
  private readonly settings: LeakSettings;
  private readonly snaps: TalliedSnapshot[] = [];
  /** The finding each group had (without growth) the last time it was seen, for groups that went away. */
  private readonly lastSeen = new Map<string, Finding>();

  constructor(
    readonly size: number,
    settings?: PartialLeakSettings | LeakSettings,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`@gosleuth/leaks: a snapshot window holds at least 1 snapshot, not ${size}`);
    this.settings = resolveSettings(settings as PartialLeakSettings | undefined);
  }

  /** Snapshots held. */
  get length(): number {
    return this.snaps.length;
  }

  /** Groups held over all snapshots (the window's memory is proportional to this). */
  get groupCount(): number {
    let n = 0;
    for (const s of this.snaps) n += s.groups.size;
    return n;
  }

  begin(takenAt: Date, format = "debug2"): WindowScan {
    const grouper = new Grouper(this.settings.samples, true, {
      objects: this.settings.incidents.maxObjectsPerGroup,
      lockWaits: this.settings.incidents.maxLockWaits,
      chanWaits: this.settings.incidents.maxChannelWaits,
    });
    return {
      add: (g) => grouper.add(g),
      finish: () => this.finishScan(grouper, takenAt, format),
    };
  }

  private finishScan(grouper: Grouper, takenAt: Date, format: string): LeakReport {
    const s = this.settings;
    const current: TalliedSnapshot = { takenAt, goroutines: grouper.total, groups: new Map() };
    const accs = new Map<string, GroupTally>();
    for (const a of grouper.groups.values()) {
      const k = grouper.keyOf(a);
      accs.set(k, a);
      const oldest = [...a.ids].sort((x, y) => x - y).slice(0, OLDEST_IDS);
      current.groups.set(k, { count: a.count, maxWait: a.maxWait, oldest });
    }
    this.snaps.push(current);
    while (this.snaps.length > this.size) this.snaps.shift();
    const snaps = this.snaps;
    const minutes = minutesBetween(snaps);
    const elapsed = minutes[minutes.length - 1]! - minutes[0]!;
    const keys = new Set<string>();
    for (const x of snaps) for (const k of x.groups.keys()) keys.add(k);
    const findings: Finding[] = [];
    for (const k of keys) {
      const counts = snaps.map((x) => x.groups.get(k)?.count ?? 0);
      const waits = snaps.map((x) => x.groups.get(k)?.maxWait ?? 0);
      const a = accs.get(k);
      const growth = growthOf(counts, waits, elapsed, () =>
        (snaps[0]!.groups.get(k)?.oldest ?? []).some((id) => a?.ids.has(id)),
      );
      if (a) {
        this.lastSeen.set(k, scoreGroup(grouper, a, s));
        findings.push(scoreGroup(grouper, a, s, { growth, elapsedMinutes: elapsed }));
        continue;
      }
      const before = this.lastSeen.get(k);
      if (!before) continue;
      findings.push({
        ...before,
        count: 0,
        severity: "info",
        growth,
        reasons: [`gone by the last snapshot (last seen with ${before.count} goroutines)`, ...before.reasons],
      });
    }
    for (const k of this.lastSeen.keys()) if (!keys.has(k)) this.lastSeen.delete(k);
    sortFindings(findings);
    return {
      version: 2,
      input: { format, goroutines: grouper.total, snapshots: snaps.length },
      incidents: buildIncidents({ findings, grouper, settings: s }),
      findings,
      summary: summarize(findings),
    };
  }
}
