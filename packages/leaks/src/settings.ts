// Leak-detection settings in sigma's shape: one interface, defaults, precise validation, resolution from partials.

export type Severity = "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["high", "medium", "low", "info"];

export interface LeakSettings {
  /** Score weights of each factor (points added to a group's score). */
  weights: {
    /** Blocked on a channel, select, lock, condition, wait group or semaphore. */
    blocked: number;
    /** Blocked forever by construction: nil channel, `select {}` outside main. */
    foreverBlocked: number;
    /** IO wait and syscalls (usually healthy). */
    io: number;
    /** Created per request/connection (many parents, or a request handler parent). */
    perRequest: number;
    /** Created once at start-up (main, init) by few parents: worker pools, tickers (subtracted). */
    startup: number;
    /** The creating goroutine has exited. */
    orphaned: number;
    /** Up to this many points for the group size (`sizePerPowerOfTen` per power of ten). */
    sizeMax: number;
    /** Points per power of ten of the group size (1 goroutine: 0, 10: this, 100: twice this). */
    sizePerPowerOfTen: number;
    /** Up to this many points for the longest wait (`waitPerDoubling` per doubling of minutes). */
    waitMax: number;
    /** Points per doubling of the longest wait in minutes (plus one, so no wait is 0). */
    waitPerDoubling: number;
    /** The runtime's goroutineleak profile marked the goroutines `(leaked)`. */
    provenByRuntime: number;
    /** The group only grew across snapshots. */
    growing: number;
    /** The group stayed flat across snapshots (subtracted). */
    flat: number;
  };
  /** Minimum score per severity (a score below `low` is `info`). */
  severity: { high: number; medium: number; low: number };
  /** Groups with fewer goroutines than this are never above `low` unless proven by the runtime. */
  minCountForMedium: number;
  /** Distinct parent goroutines from which a group counts as created per request. */
  perRequestParents: number;
  /** At most this many goroutines for a group created by main/init to count as a start-up pool. */
  startupMaxCount: number;
  /**
   * Without parent ids (Go before 1.21), a group of at least this many goroutines from one creation
   * site outside main/init counts as created per request.
   */
  perRequestSiteMinCount: number;
  /** goleak-style ignore rules: exact function names or `*` globs. Matching groups are shown as info. */
  ignore: {
    /** The top frame (innermost) of the stack. */
    topFunction: string[];
    /** The `created by` function. */
    creator: string[];
    /** Any function on the stack. */
    function: string[];
  };
  /** Maximum sample ids per finding. */
  samples: number;
  /** How groups are gathered into incidents (one cause each). */
  incidents: {
    /** Two counts (or two growths between snapshots) are equal when they differ by at most this fraction. */
    countTolerance: number;
    /** Equal counts or lockstep growth tie groups only when they are at least this big (small numbers coincide). */
    minLockstepCount: number;
    /** Goroutines waiting for a lock whose stacks are kept per dump to look for lock-order inversions. */
    maxLockWaits: number;
    /**
     * Distinct objects (channels, mutexes ...) kept per group to find groups waiting on the same ones; the
     * objects are read from the first 16 times this many goroutines of each group.
     */
    maxObjectsPerGroup: number;
    /**
     * Goroutines waiting on a channel or a WaitGroup whose pointer arguments are kept per dump for the
     * channel-cycle and WaitGroup searches (past it they find less, never more: the goroutines not kept
     * still count as holders; each thread of a big file keeps as many, so the cost grows with it).
     */
    maxChannelWaits: number;
  };
}

export const DEFAULT_SETTINGS: LeakSettings = {
  weights: {
    blocked: 30,
    foreverBlocked: 45,
    io: 5,
    perRequest: 25,
    startup: 20,
    orphaned: 5,
    sizeMax: 20,
    sizePerPowerOfTen: 5,
    waitMax: 15,
    waitPerDoubling: 3,
    provenByRuntime: 50,
    growing: 25,
    flat: 10,
  },
  severity: { high: 60, medium: 40, low: 20 },
  minCountForMedium: 2,
  perRequestParents: 3,
  startupMaxCount: 64,
  perRequestSiteMinCount: 50,
  ignore: { topFunction: [], creator: [], function: [] },
  samples: 10,
  incidents: {
    countTolerance: 0.05,
    minLockstepCount: 5,
    maxLockWaits: 100_000,
    maxObjectsPerGroup: 64,
    maxChannelWaits: 2_000,
  },
};

/** Every field optional at every depth, except arrays, which are given whole. */
type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};
export type PartialLeakSettings = DeepPartial<LeakSettings>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`@gosleuth/leaks: settings: ${problems.join("; ")}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return "an object";
  return String(v);
}

/** Settings that count goroutines or parents, so they take whole numbers. */
const INTEGER_SETTINGS = [
  "samples",
  "minCountForMedium",
  "perRequestParents",
  "startupMaxCount",
  "perRequestSiteMinCount",
  "minLockstepCount",
  "maxLockWaits",
  "maxObjectsPerGroup",
  "maxChannelWaits",
];

/** Checks a partial settings object (e.g. parsed from gosleuth.config.json); returns the problems found. */
export function validateSettings(input: unknown, path = ""): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, model: unknown, at: string) => {
    if (typeof model === "number") {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        problems.push(`\`${at}\` must be a non-negative number, got ${describe(value)}`);
      } else if (
        Number.isInteger(model) &&
        INTEGER_SETTINGS.includes(at.split(".").pop()!) &&
        !Number.isInteger(value)
      ) {
        problems.push(`\`${at}\` must be a non-negative integer, got ${describe(value)}`);
      }
      return;
    }
    if (Array.isArray(model)) {
      if (!Array.isArray(value) || !value.every((x) => typeof x === "string")) {
        problems.push(
          `\`${at}\` must be an array of strings (function names or * globs), got ${describe(value)}`,
        );
      }
      return;
    }
    if (typeof model === "object" && model !== null) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(`\`${at || "settings"}\` must be an object, got ${describe(value)}`);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        if (k === "$schema") continue;
        const m = (model as Record<string, unknown>)[k];
        const p = at ? `${at}.${k}` : k;
        if (m === undefined) {
          const known = Object.keys(model).join(", ");
          problems.push(`unknown setting \`${p}\` (known here: ${known})`);
        } else walk(v, m, p);
      }
    }
  };
  walk(input, DEFAULT_SETTINGS, path);
  const sev = (input as PartialLeakSettings | undefined)?.severity;
  if (sev && typeof sev === "object") {
    const s = { ...DEFAULT_SETTINGS.severity, ...sev };
    if (!(s.high >= s.medium && s.medium >= s.low)) {
      problems.push(
        `\`severity\` thresholds must satisfy high ≥ medium ≥ low, got ${s.high}/${s.medium}/${s.low}`,
      );
    }
  }
  const tol = (input as PartialLeakSettings | undefined)?.incidents?.countTolerance;
  if (typeof tol === "number" && tol > 1) {
    problems.push(`\`incidents.countTolerance\` must be a fraction between 0 and 1, got ${tol}`);
  }
  return problems;
}

/** Defaults overlaid with each partial in order (later wins); throws SettingsError with every problem found. */
export function resolveSettings(...partials: (PartialLeakSettings | undefined)[]): LeakSettings {
  const problems: string[] = [];
  for (const p of partials) if (p !== undefined) problems.push(...validateSettings(p));
  if (problems.length > 0) throw new SettingsError(problems);
  const out: LeakSettings = structuredClone(DEFAULT_SETTINGS);
  for (const p of partials) {
    if (!p) continue;
    for (const [k, v] of Object.entries(p)) {
      if (k === "$schema" || v === undefined) continue;
      const cur = (out as unknown as Record<string, unknown>)[k];
      if (typeof cur === "object" && cur !== null && !Array.isArray(cur)) Object.assign(cur, v);
      else (out as unknown as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

/** `*` globs and exact names. */
export function matches(patterns: readonly string[], name: string): boolean {
  for (const p of patterns) {
    if (!p.includes("*")) {
      if (p === name) return true;
      continue;
    }
    const re = new RegExp(
      `^${p
        .split("*")
        .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    if (re.test(name)) return true;
  }
  return false;
}
