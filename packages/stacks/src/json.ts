// `stacks --format json`, version 1 (schema: ../schema/stacks.v1.json). Group counts add up to `total`
// together with `omitted.goroutines`.
import { showArgs } from "./args.ts";
import { codeKind } from "./classify.ts";
import { type CrashJson, crashJson } from "./crash.ts";
import type { RaceJson } from "./races.ts";
import type { ReportGroup, StacksReport } from "./report.ts";

export interface GroupJson {
  count: number;
  /** The most common raw state of the group. */
  state: string;
  states: Record<string, number>;
  stateClass: string;
  waitMinutes: { min: number; max: number };
  ids: number[];
  lockedToThread: number;
  leaked: number;
  labels: Record<string, number>;
  createdBy: { function: string; file: string; line: number } | null;
  /** Distinct parent goroutines (at least this many when `parentsCapped`). */
  parents: number;
  frames: { function: string; file: string; line: number; args: string; code: string }[];
  elided: { index: number; count: number | null }[];
}

export interface StacksJson {
  version: 1;
  input: string;
  format: string;
  similarity: string;
  total: number;
  filtered: number;
  crash: CrashJson | null;
  races: RaceJson[];
  groups: GroupJson[];
  omitted: { groups: number; goroutines: number };
}

const NO_NAMES = new Map<string, string>();

export function mainState(g: ReportGroup): string {
  let best = "";
  let n = -1;
  for (const [k, v] of Object.entries(g.states)) if (v > n) [best, n] = [k, v];
  return best;
}

export function groupJson(g: ReportGroup): GroupJson {
  return {
    count: g.count,
    state: mainState(g),
    states: g.states,
    stateClass: g.stateClass,
    waitMinutes: {
      min: g.count > 0 && g.waitMin !== Number.POSITIVE_INFINITY ? g.waitMin : 0,
      max: g.waitMax,
    },
    ids: g.ids,
    lockedToThread: g.locked,
    leaked: g.leaked,
    labels: g.labels,
    createdBy: g.createdBy ? { ...g.createdBy } : null,
    parents: g.parents.length,
    frames: g.frames.map((f) => ({
      function: f.function,
      file: f.file,
      line: f.line,
      args: showArgs(f.args, NO_NAMES),
      code: codeKind(f.pkg, f.file),
    })),
    elided: g.elided.map((e) => ({ index: e.index, count: e.count })),
  };
}

export function toJson(r: StacksReport): StacksJson {
  return {
    version: 1,
    input: r.input,
    format: r.format,
    similarity: r.similarity,
    total: r.total,
    filtered: r.filtered,
    crash: crashJson(r.crash),
    races: r.races,
    groups: r.groups.map(groupJson),
    omitted: r.omitted,
  };
}
