// Leaks from debug=1 and debug=0 profiles: groups with a count and a stack, but no states, wait times,
// goroutine ids or parent ids. Scored from what they do have: the stack, the size, and growth across
// snapshots.

import { formatCount as fmt, type GoroutineGroup, type StateClass } from "@gosleuth/model";
import { blockingFrame, type StackFrame } from "./blocking-frame.ts";
import type { Category, Finding, Growth, LeakReport } from "./finding.ts";
import { sortFindings, summarize } from "./finding.ts";
import { buildIncidents } from "./incident.ts";
import { BENIGN, CATEGORY, STATE_WORDS } from "./rules.ts";
import { growthFactor, severityOfScore, sizeFactor, stateFactor, totalScore } from "./score.ts";
import {
  type LeakSettings,
  matches,
  type PartialLeakSettings,
  resolveSettings,
  type Severity,
} from "./settings.ts";
import { minutesBetween, verdictOf } from "./snapshots.ts";

export interface ProfileSnapshot {
  groups: readonly GoroutineGroup[];
  /** When it was taken; without it, snapshots are assumed one minute apart. */
  takenAt?: Date;
  label?: string;
}

/** The profile's name as users request it (`?debug=1`). */
function debugName(format: string): string {
  return format === "debug0" ? "debug=0" : "debug=1";
}

/** What a profile cannot show, said once in the report. */
export function profileLimits(format: string): string {
  return `a ${debugName(format)} profile has no wait times, goroutine states, ids or parents: scored from stacks, counts and growth alone (debug=2 shows all of them)`;
}

/** The same, short, in every finding's reasons. */
function profileReason(format: string): string {
  return `no wait times in a ${debugName(format)} profile: scored from the stack, the count and growth alone`;
}

// The frame that tells what a stack waits on, and the state Go would print for it. Only the frames
// above the program's own code are read (the machinery of blocking). Go's debug=1 and debug=0 writers
// drop the runtime's own frames on top (gopark, chansend, selectgo), so the runtime's entries only
// match profiles written by other tools; the standard library's (sync, internal/poll, time) remain.
const WAITS: [RegExp, StateClass, string][] = [
  [/^runtime\.chansend/, "chan-send", "chan send"],
  [/^runtime\.chanrecv/, "chan-receive", "chan receive"],
  [/^runtime\.selectgo$/, "select", "select"],
  [/^runtime\.block$/, "select-no-cases", "select (no cases)"],
  [/^sync\.runtime_notifyListWait$|^sync\.\(\*Cond\)\.Wait$/, "cond", "sync.Cond.Wait"],
  [/^sync\.runtime_SemacquireRWMutex|^sync\.\(\*RWMutex\)\./, "rwmutex", "sync.RWMutex.Lock"],
  [
    /^sync\.runtime_SemacquireMutex$|^(internal\/)?sync\.\(\*Mutex\)\.(Lock|lockSlow)$/,
    "mutex",
    "sync.Mutex.Lock",
  ],
  [/^sync\.runtime_SemacquireWaitGroup$|^sync\.\(\*WaitGroup\)\.Wait$/, "waitgroup", "sync.WaitGroup.Wait"],
  [/^sync\.runtime_Semacquire$|^internal\/sync\.runtime_Semacquire/, "semacquire", "semacquire"],
  [/^internal\/poll\.runtime_pollWait$/, "io-wait", "IO wait"],
  [/^time\.Sleep$|^runtime\.timeSleep$/, "sleep", "sleep"],
  [/^syscall\.(Raw)?Syscall|^syscall\.syscall|^internal\/syscall\//, "syscall", "syscall"],
  [/^runtime\/pprof\.writeGoroutine|^runtime\/pprof\.writeRuntimeProfile$/, "running", "running"],
];

/** Frames the runtime and standard library block in: the ones worth reading for the wait. */
function isWaitMachinery(fn: string): boolean {
  return /^(runtime|sync|internal|time|syscall|os\/signal|context|net)[./]/.test(fn);
}

/** The group's printed frames that name a function (pprof prints `#` lines without one for unknown PCs). */
function framesOf(g: GoroutineGroup): StackFrame[] {
  const out: StackFrame[] = [];
  for (const f of g.frames) if (f.fn) out.push({ fn: f.fn, file: f.file ?? "", line: f.line ?? 0 });
  return out;
}

/**
 * The wait a profile group's stack shows, in Go's words. `parked`: the profile hid runtime frames above
 * the program's code and no standard-library wait is printed, so the goroutines are parked in the
 * runtime itself: on a channel or in a select.
 */
export function profileWait(g: GoroutineGroup): { stateClass: StateClass; state: string; parked: boolean } {
  const frames = framesOf(g);
  for (const f of frames) {
    for (const [re, stateClass, state] of WAITS)
      if (re.test(f.fn.full)) return { stateClass, state, parked: false };
    if (!isWaitMachinery(f.fn.full)) break;
  }
  const top = g.frames[0];
  // Each printed frame's pc is one less than the return address in the group's pc list.
  const shownFirst = top ? Number.parseInt(top.pc, 16) : Number.NaN;
  const listedFirst = g.pcs[0] !== undefined ? Number.parseInt(g.pcs[0], 16) : Number.NaN;
  const hidden = top !== undefined && shownFirst !== listedFirst && shownFirst + 1 !== listedFirst;
  const startsInRuntime = frames[0]?.fn.full.startsWith("runtime.") ?? false;
  if (hidden && !startsInRuntime) return { stateClass: "unknown", state: "parked", parked: true };
  return { stateClass: "unknown", state: "unknown", parked: false };
}

/** Profile groups with one stack, summed (pprof splits a stack by labels). */
interface ProfileTally {
  key: string;
  signature: string;
  count: number;
  frames: StackFrame[];
  stateClass: StateClass;
  state: string;
  parked: boolean;
}

function tallyProfile(groups: readonly GoroutineGroup[]): Map<string, ProfileTally> {
  const out = new Map<string, ProfileTally>();
  for (const g of groups) {
    const frames = framesOf(g);
    const wait = profileWait(g);
    const signature = [wait.stateClass, ...frames.map((f) => `${f.fn.full} ${f.file}:${f.line}`)].join("\n");
    const key = `${signature}\n@profile`;
    const t = out.get(key);
    if (t) t.count += g.count;
    else out.set(key, { key, signature, count: g.count, frames, ...wait });
  }
  return out;
}

/** Scores one profile group: state from its stack, size, growth; capped at medium without growth. */
function scoreProfileGroup(t: ProfileTally, s: LeakSettings, limitsReason: string, growth?: Growth): Finding {
  const w = s.weights;
  const frames = t.frames;
  const start = frames[frames.length - 1]?.fn.full ?? "";
  const top = frames[0]?.fn.full ?? "";
  const cls = t.stateClass;
  const who = `${fmt(t.count)} goroutine${t.count === 1 ? "" : "s"}`;
  const factors: Record<string, number> = {};
  const reasons: string[] = [];
  // Parked in the runtime under the program's own code: a channel operation or a select.
  factors.state = t.parked ? w.blocked : stateFactor(cls, start, w);
  factors.size = sizeFactor(t.count, w);
  const doing = t.parked
    ? "parked on a channel or in a select (the profile does not say which)"
    : (STATE_WORDS[cls] ?? "in an unknown state");
  reasons.push(`${who} ${doing}`);
  const bf = blockingFrame(frames);
  if (bf && bf.function !== start) reasons.push(`blocked at ${bf.function} (${bf.file}:${bf.line})`);
  reasons.push(limitsReason);
  if (growth) {
    const grew = growthFactor(growth, w);
    if (grew.points !== undefined) factors.growth = grew.points;
    reasons.push(...grew.reasons);
  }
  const score = totalScore(factors);
  const benign = BENIGN.find((b) => b.test(start, top, cls));
  const ignored =
    matches(s.ignore.topFunction, top) || frames.some((f) => matches(s.ignore.function, f.fn.full));
  let severity: Severity;
  if (benign) {
    severity = "info";
    reasons.unshift(`known-benign: ${benign.why}`);
  } else if (ignored) {
    severity = "info";
    reasons.unshift("ignored by the settings' ignore rules");
  } else severity = severityOfScore(score, s);
  if (t.count < s.minCountForMedium && (severity === "high" || severity === "medium")) {
    severity = "low";
    reasons.push(`only ${who}: capped at low`);
  }
  if (severity === "high" && growth?.verdict !== "growing") {
    severity = "medium";
    reasons.push(
      growth
        ? "not growing across snapshots, and without wait times nothing else shows a leak: capped at medium"
        : "one snapshot cannot show growth, and without wait times nothing else shows a leak: capped at medium (take several snapshots a minute apart)",
    );
  }
  const category: Category = benign ? "benign" : ignored ? "ignored" : (CATEGORY[cls] ?? "other");
  const f: Finding = {
    key: t.key,
    severity,
    score,
    count: t.count,
    state: t.state,
    stateClass: cls,
    category,
    waitMinutes: { min: 0, max: 0 },
    blockingFrame: bf,
    startFunction: start,
    creator: null,
    parents: 0,
    reasons,
    sampleIds: [],
    signature: t.signature,
    proven: false,
    benign: Boolean(benign),
    factors,
  };
  if (growth) f.growth = growth;
  return f;
}

/**
 * Scores the groups of one or more debug=1/debug=0 profiles of one process (oldest first), with
 * growth across them when there are several. Groups are tied across snapshots by their stack.
 */
export function analyzeProfiles(
  snapshots: ProfileSnapshot[],
  settings?: PartialLeakSettings | LeakSettings,
  format = "debug1",
): LeakReport {
  const s = resolveSettings(settings as PartialLeakSettings | undefined);
  const limits = profileLimits(format);
  const reason = profileReason(format);
  const tallies = snapshots.map((x) => tallyProfile(x.groups));
  const last = tallies.length - 1;
  const findings: Finding[] = [];
  if (tallies.length === 1) {
    for (const t of tallies[0]!.values()) findings.push(scoreProfileGroup(t, s, reason));
  } else if (tallies.length > 1) {
    const minutes = minutesBetween(snapshots);
    const elapsed = minutes[last]! - minutes[0]!;
    const keys = new Set(tallies.flatMap((m) => [...m.keys()]));
    for (const key of keys) {
      const row = tallies.map((m) => m.get(key));
      const counts = row.map((t) => t?.count ?? 0);
      const growth: Growth = {
        counts,
        ratePerMinute: elapsed > 0 ? (counts[last]! - counts[0]!) / elapsed : 0,
        verdict: verdictOf(counts),
        // Without wait times there is no clock to compare with.
        waitGrowsWithClock: false,
      };
      const seen = row[last] ?? row.findLast((t) => t !== undefined)!;
      const f = scoreProfileGroup(seen, s, reason, growth);
      if (!row[last]) {
        f.count = 0;
        f.reasons.unshift(`gone by the last snapshot (last seen with ${seen.count} goroutines)`);
        f.severity = "info";
      }
      findings.push(f);
    }
  }
  sortFindings(findings);
  const lastSnap = snapshots[last];
  const report: LeakReport = {
    version: 2,
    input: {
      format,
      goroutines: lastSnap ? lastSnap.groups.reduce((n, g) => n + g.count, 0) : 0,
      snapshots: snapshots.length,
      limits,
    },
    // Profiles have no ids, parents or arguments: incidents come from pairings and lockstep growth only.
    incidents: buildIncidents({ findings, settings: s }),
    findings,
    summary: summarize(findings),
    thresholds: { ...s.severity },
  };
  const names = snapshots.map((x) => x.label).filter((x): x is string => x !== undefined);
  if (names.length > 0 && names.length === snapshots.length) report.input.names = names;
  return report;
}
