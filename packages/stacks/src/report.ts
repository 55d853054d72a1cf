// A stacks report: the grouped goroutines of one dump, sorted and filtered for showing, with the crash,
// the races and short names for shared pointer values. Renderers (text, md, html, json) read only this.
import type { DumpFormat, DumpInfo } from "@gosleuth/model";
import { compileFilter, parseFilter } from "@gosleuth/query";
import { constantPointers, type Similarity } from "./args.ts";
import { type Crash, crashOf } from "./crash.ts";
import { dataFields } from "./group.ts";
import type { GroupData, StacksResult } from "./grouper.ts";
import { foldRaces, type RaceJson } from "./races.ts";

export type SortKey = "count" | "wait" | "id";
export const SORT_KEYS: readonly SortKey[] = ["count", "wait", "id"];

export interface ReportOptions {
  similarity?: Similarity;
  /** A regular expression; groups with a frame or creator (`function file:line`) matching it are kept. */
  match?: string;
  /** The filter language; its group terms (`count:>10`) apply here, goroutine terms in the grouper. */
  filter?: string;
  sort?: SortKey;
  /** Show at most this many groups (the rest are counted in `omitted`). */
  limit?: number;
}

export interface ReportGroup extends GroupData {
  /** The lowest goroutine id of the group (for sorting by id). */
  firstId: number;
}

export interface StacksReport {
  input: string;
  format: DumpFormat;
  similarity: Similarity;
  /** Goroutines that passed the filter: shown groups' counts plus `omitted.goroutines`. */
  total: number;
  /** Goroutines the filter or --match left out. */
  filtered: number;
  crash: Crash | null;
  races: RaceJson[];
  groups: ReportGroup[];
  omitted: { groups: number; goroutines: number };
  /** Pointer values shared by several goroutines → `#1`, `#2`… in order of first appearance. */
  pointerNames: Map<string, string>;
  /** Per pointer name: goroutines and groups that hold it. */
  pointerUse: Map<string, { goroutines: number; groups: number }>;
}

/** Thrown for a bad --match or --filter (the CLI makes it a usage error). */
export class StacksOptionError extends Error {}

function matcher(re: string | undefined): ((g: GroupData) => boolean) | null {
  if (re === undefined || re === "") return null;
  let rx: RegExp;
  try {
    rx = new RegExp(re);
  } catch (e) {
    throw new StacksOptionError(`@gosleuth/stacks: --match: ${(e as Error).message}`);
  }
  return (g) =>
    g.frames.some((f) => rx.test(`${f.function} ${f.file}:${f.line}`)) ||
    (g.createdBy !== null && rx.test(`${g.createdBy.function} ${g.createdBy.file}:${g.createdBy.line}`));
}

/** Checks a filter query; throws StacksOptionError naming the first bad term. */
export function checkFilter(q: string | undefined): void {
  if (!q) return;
  const e = parseFilter(q).errors[0];
  if (e) throw new StacksOptionError(`@gosleuth/stacks: --filter: column ${e.start + 1}: ${e.message}`);
}

export function buildReport(
  input: string,
  part: StacksResult,
  info: DumpInfo,
  o: ReportOptions = {},
): StacksReport {
  checkFilter(o.filter);
  const nodePred = o.filter ? compileFilter(parseFilter(o.filter)).node : null;
  const match = matcher(o.match);
  let filtered = part.filtered;
  // The groups kept and their lowest ids; only the groups shown are copied into report groups (a dump of
  // 100,000 distinct stacks shown five at a time copied them all).
  const kept: GroupData[] = [];
  const firstIds: number[] = [];
  let total = 0;
  for (const g of part.groups) {
    if ((match && !match(g)) || (nodePred && !nodePred({ count: g.count }))) {
      filtered += g.count;
      continue;
    }
    let firstId = Number.POSITIVE_INFINITY;
    for (const id of g.ids) if (id < firstId) firstId = id;
    kept.push(g);
    firstIds.push(firstId);
    total += g.count;
  }
  const sort = o.sort ?? "count";
  const order = Array.from(kept, (_, i) => i);
  // Equal groups keep their order (the position breaks the tie, as a stable sort of the groups would).
  order.sort((x, y) => {
    const a = kept[x]!;
    const b = kept[y]!;
    if (sort === "wait" && a.waitMax !== b.waitMax) return b.waitMax - a.waitMax;
    if (sort !== "id" && a.count !== b.count) return b.count - a.count;
    return firstIds[x]! - firstIds[y]! || x - y;
  });
  const limit = o.limit ?? Number.POSITIVE_INFINITY;
  // Ids ascending: the oldest goroutine of a group first (input order is a runtime detail). Only the
  // groups shown print their ids.
  const shown: ReportGroup[] = [];
  let shownCount = 0;
  for (let k = 0; k < order.length && k < limit; k++) {
    const i = order[k]!;
    // GroupData's fields only: the groups may be a grouper's own (StackGrouper.result's `copy`).
    const g = dataFields(kept[i]!) as ReportGroup;
    g.firstId = firstIds[i]!;
    g.ids = ascending(g.ids);
    shown.push(g);
    shownCount += g.count;
  }
  const { names, use } = pointerNames(shown);
  return {
    input,
    format: info.format,
    similarity: o.similarity ?? "pointers",
    total,
    filtered,
    crash: crashOf(info, part.first, part.running),
    races: foldRaces(info.races),
    groups: shown,
    omitted: { groups: kept.length - shown.length, goroutines: total - shownCount },
    pointerNames: names,
    pointerUse: use,
  };
}

/**
 * The ids ascending: the same array when they are in order already (a dump often lists goroutines by
 * age; the grouper adds nothing after its result is read), else a sorted copy.
 */
function ascending(ids: number[]): number[] {
  let sorted = true;
  for (let i = 1; i < ids.length && sorted; i++) sorted = ids[i - 1]! <= ids[i]!;
  if (sorted) return ids;
  const t = new Float64Array(ids).sort();
  const out = new Array<number>(t.length);
  for (let i = 0; i < t.length; i++) out[i] = t[i]!;
  return out;
}

/** Names pointer values that every goroutine of a group holds and that more than one goroutine holds. */
function pointerNames(groups: readonly GroupData[]) {
  const use = new Map<string, { goroutines: number; groups: number }>();
  const order: string[] = [];
  for (const g of groups) {
    const inGroup = new Set<string>();
    for (const f of g.frames) for (const p of constantPointers(f.args)) inGroup.add(p);
    for (const p of inGroup) {
      const u = use.get(p);
      if (u) {
        u.goroutines += g.count;
        u.groups++;
      } else {
        use.set(p, { goroutines: g.count, groups: 1 });
        order.push(p);
      }
    }
  }
  const names = new Map<string, string>();
  const named = new Map<string, { goroutines: number; groups: number }>();
  for (const p of order) {
    const u = use.get(p)!;
    if (u.goroutines < 2) continue;
    const name = `#${names.size + 1}`;
    names.set(p, name);
    named.set(name, u);
  }
  return { names, use: named };
}
