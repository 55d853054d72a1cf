// A group's score as a sum of named factors, one small function each, with the reasons that explain them.
import { formatCount as fmt, type StateClass, startFunctionName } from "@gosleuth/model";
import { flatCopy } from "@gosleuth/spawn-graph/internal";
import { blockingFrame } from "./blocking-frame.ts";
import type { Category, Finding, Growth } from "./finding.ts";
import { type Grouper, type GroupTally, stateCounts } from "./grouper.ts";
import { BENIGN, CATEGORY, isStartupCreator, STATE_WORDS } from "./rules.ts";
import { type LeakSettings, matches, type Severity } from "./settings.ts";

type Weights = LeakSettings["weights"];

const BLOCKING_CLASSES: readonly StateClass[] = [
  "chan-send",
  "chan-receive",
  "select",
  "cond",
  "mutex",
  "rwmutex",
  "waitgroup",
  "semacquire",
];

/** How surely the state can block forever: by construction, on another goroutine, on the outside world. */
export function stateFactor(cls: StateClass, start: string, w: Weights): number {
  if (cls === "chan-nil" || (cls === "select-no-cases" && start !== "main.main")) return w.foreverBlocked;
  if (BLOCKING_CLASSES.includes(cls)) return w.blocked;
  if (cls === "io-wait" || cls === "syscall") return w.io;
  return 0;
}

/** Bigger groups matter more, by orders of magnitude. */
export function sizeFactor(count: number, w: Weights): number {
  return Math.min(w.sizeMax, w.sizePerPowerOfTen * Math.log10(Math.max(1, count)));
}

/** Longer waits matter more, by doublings (a minute and two minutes differ as an hour and two do). */
export function waitFactor(waitMaxMinutes: number, w: Weights): number {
  return Math.min(w.waitMax, w.waitPerDoubling * Math.log2(1 + waitMaxMinutes));
}

/** Who created the group, as the scoring sees it. */
export interface Creation {
  /** The `created by` function ("" for none). */
  creatorFn: string;
  /** Distinct parent goroutines, and how many of them are no longer in the dump. */
  parents: number;
  missingParents: number;
  /** A parent's start function that is a request handler, if any. */
  handlerParent: string | undefined;
  count: number;
}

/**
 * Per request (many parents, a request handler parent, or, without parent ids, a big group from one
 * site that is not start-up code) adds points; started once by main/init or one parent subtracts them.
 * `doing` is the sentence's start: who, doing what, for how long.
 */
export function creationFactor(
  c: Creation,
  s: LeakSettings,
  doing: string,
): { factor?: "perRequest" | "startup"; points: number; reason: string } {
  const { creatorFn, parents, missingParents, handlerParent, count } = c;
  const startup = isStartupCreator(creatorFn);
  if (handlerParent)
    return {
      factor: "perRequest",
      points: s.weights.perRequest,
      reason: `${doing}, all created per request by ${creatorFn} (in ${handlerParent} goroutines)`,
    };
  if (parents >= s.perRequestParents)
    return {
      factor: "perRequest",
      points: s.weights.perRequest,
      reason: `${doing}, created by ${creatorFn} from ${fmt(parents)} different goroutines (per request or connection)`,
    };
  if (parents === 0 && creatorFn && !startup && count >= s.perRequestSiteMinCount)
    return {
      factor: "perRequest",
      points: s.weights.perRequest,
      reason: `${doing}, all from one creation site in ${creatorFn} (no parent ids in this dump: Go before 1.21)`,
    };
  const orphaned = parents > 0 && missingParents === parents;
  if ((startup || parents === 1) && count <= s.startupMaxCount && !orphaned)
    return {
      factor: "startup",
      points: -s.weights.startup,
      reason: `${doing}, started once by ${creatorFn || "the runtime"} (a pool or background loop, usually healthy)`,
    };
  return { points: 0, reason: `${doing}${creatorFn ? `, created by ${creatorFn}` : ""}` };
}

/** Every parent has exited: nobody is left to close the channel or cancel the context. */
export function orphanedFactor(parents: number, missingParents: number, w: Weights): number | undefined {
  return parents > 0 && missingParents === parents ? w.orphaned : undefined;
}

/** The runtime's goroutineleak profile marked them `(leaked)`: proof, not a heuristic. */
export function provenFactor(leaked: number, w: Weights): number | undefined {
  return leaked > 0 ? w.provenByRuntime : undefined;
}

/** A rate per minute: one decimal below 100, whole numbers with thousands separators above (`+35,847`). */
export function formatRate(r: number): string {
  const sign = r > 0 ? "+" : "";
  return Math.abs(r) >= 100 ? `${sign}${fmt(Math.round(r))}` : `${sign}${r.toFixed(1)}`;
}

/**
 * Growing across snapshots adds points, flat subtracts them, fluctuating neither. The words say what the numbers
 * show ("grew in every snapshot" only when each count is above the one before); the series itself is in
 * `growth.counts`, which the reports print once.
 */
export function growthFactor(growth: Growth, w: Weights): { points?: number; reasons: string[] } {
  const out: { points?: number; reasons: string[] } = { reasons: [] };
  const c = growth.counts;
  if (growth.verdict === "growing") {
    out.points = w.growing;
    const everyStep = c.every((x, i) => i === 0 || x > c[i - 1]!);
    const first = c[0] ?? 0;
    const overall =
      first > 0 ? `${fmt(Math.round(((c[c.length - 1]! - first) / first) * 100))}% overall` : "from none";
    out.reasons.push(
      `${everyStep ? "grew in every snapshot" : "never shrank"}, ${overall} (${formatRate(growth.ratePerMinute)}/min)`,
    );
  } else if (growth.verdict === "flat") {
    out.points = -w.flat;
    out.reasons.push("flat across snapshots");
  } else if (growth.verdict === "fluctuating") {
    out.reasons.push("fluctuates across snapshots, not a steady climb");
  }
  if (growth.waitGrowsWithClock)
    out.reasons.push("their longest wait grows with the clock: they never wake up");
  return out;
}

/** The severity a score reaches by the settings' thresholds. */
export function severityOfScore(score: number, s: LeakSettings): Severity {
  if (score >= s.severity.high) return "high";
  if (score >= s.severity.medium) return "medium";
  if (score >= s.severity.low) return "low";
  return "info";
}

/** The factors' sum, rounded to a tenth and never negative. */
export function totalScore(factors: Record<string, number>): number {
  const score = Object.values(factors).reduce((x, y) => x + y, 0);
  return Math.max(0, Math.round(score * 10) / 10);
}

/** The most common raw state of a group. */
function mostCommonState(states: ReadonlyMap<string, number>): string {
  let state = "";
  let best = -1;
  for (const [s, c] of states) {
    if (c > best) {
      state = s;
      best = c;
    }
  }
  return state;
}

/** Scores one group; `extra` adds growth factors from snapshots. */
export function scoreGroup(
  grouper: Grouper,
  a: GroupTally,
  settings: LeakSettings,
  extra?: { growth?: Growth; elapsedMinutes?: number },
): Finding {
  const w = settings.weights;
  const frames = a.frames;
  const start = startFunctionName(frames);
  const top = frames[0]?.fn.full ?? "";
  const cls = a.stateClass;
  const creatorSite = grouper.sites.sites[a.site] ?? null;
  const creator = creatorSite ? { ...creatorSite } : null;
  const creatorFn = creator?.function ?? "";
  const bf = blockingFrame(frames);
  const state = mostCommonState(stateCounts(a));
  const count = a.count;
  const waitMin = Number.isFinite(a.minWait) ? a.minWait : 0;
  const waitMax = a.maxWait;
  const stateWords = STATE_WORDS[cls] ?? `in state "${state}"`;
  const forWait = waitMax > 0 ? ` for up to ${fmt(waitMax)} minute${waitMax === 1 ? "" : "s"}` : "";
  const who = `${fmt(count)} goroutine${count === 1 ? "" : "s"}`;
  const factors: Record<string, number> = {};
  const reasons: string[] = [];

  factors.state = stateFactor(cls, start, w);
  factors.size = sizeFactor(count, w);
  factors.wait = waitFactor(waitMax, w);

  const { missing: missingParents, handler: handlerParent } = grouper.parentStarts(a);
  const parents = a.parents.size;
  const creation = creationFactor(
    { creatorFn, parents, missingParents, handlerParent, count },
    settings,
    `${who} ${stateWords}${forWait}`,
  );
  if (creation.factor) factors[creation.factor] = creation.points;
  reasons.push(creation.reason);

  const orphaned = orphanedFactor(parents, missingParents, w);
  if (orphaned !== undefined) {
    factors.orphaned = orphaned;
    reasons.push(`their creating goroutine${parents === 1 ? " has" : "s have"} exited (orphans)`);
  }
  if (bf && bf.function !== start) reasons.push(`blocked at ${bf.function} (${bf.file}:${bf.line})`);
  if (cls === "chan-nil")
    reasons.push("a nil channel never becomes ready: these goroutines can never proceed");

  const proven = provenFactor(a.leaked, w);
  if (proven !== undefined) {
    factors.proven = proven;
    reasons.unshift(
      `the runtime's goroutineleak profile proved ${a.leaked === count ? "all of them" : `${fmt(a.leaked)} of them`} leaked`,
    );
  }

  const growth = extra?.growth;
  if (growth) {
    const grew = growthFactor(growth, w);
    if (grew.points !== undefined) factors.growth = grew.points;
    reasons.push(...grew.reasons);
  }

  const score = totalScore(factors);
  const isProven = proven !== undefined;

  // Benign shapes and ignore rules: info, with the reason first.
  const benign = BENIGN.find((b) => b.test(start, top, cls));
  const ignored =
    matches(settings.ignore.topFunction, top) ||
    (creatorFn !== "" && matches(settings.ignore.creator, creatorFn)) ||
    frames.some((f) => matches(settings.ignore.function, f.fn.full));
  let severity: Severity;
  if (benign && !isProven) {
    severity = "info";
    reasons.unshift(`known-benign: ${benign.why}`);
  } else if (ignored && !isProven) {
    severity = "info";
    reasons.unshift("ignored by the settings' ignore rules");
  } else severity = severityOfScore(score, settings);
  if (!isProven && count < settings.minCountForMedium && (severity === "high" || severity === "medium")) {
    severity = "low";
    reasons.push(`only ${who}: capped at low`);
  }
  if (isProven && severity !== "high") severity = "high";

  const category: Category =
    benign && !isProven ? "benign" : ignored && !isProven ? "ignored" : (CATEGORY[cls] ?? "other");
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
    parents,
    // Flat copies: a report keeps every finding until it is written (see flatCopy).
    reasons: reasons.map(flatCopy),
    sampleIds: a.samples.slice(0, settings.samples),
    signature: grouper.sigs.text(a.sig),
    proven: isProven,
    benign: Boolean(benign),
    factors,
  };
  if (growth) f.growth = growth;
  return f;
}
