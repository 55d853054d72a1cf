// What goroutine ids and parent ids say about a process: orphans, churn, where goroutines are started.
//
// Computed from three numbers a goroutine (id, parent id, creator site), so a streaming consumer (the
// CLI's summary) needs no goroutine objects, and in one place for every consumer.
import type { Goroutine } from "@gosleuth/model";
import { IdIndex } from "./id-index.ts";
import { type CreatorSite, SiteInterner } from "./intern.ts";

/** One record per goroutine, in input order. */
export interface SpawnColumns {
  ids: ArrayLike<number>;
  /** Parent goroutine id, -1 when none is printed. */
  parents: ArrayLike<number>;
  /** Creator site id per goroutine (0: none), indexing `sites`, as SiteInterner numbers them. */
  siteOf: ArrayLike<number>;
  sites: readonly (CreatorSite | null)[];
}

export interface SpawningSite {
  /** `function file:line` of the `go` statement. */
  site: string;
  /** Goroutines started here. */
  children: number;
  /** Goroutines started here and everything below them. */
  descendants: number;
}

export interface SpawnView {
  /** Different goroutine ids (a goroutine printed twice, when dumps were joined, counts once). */
  goroutines: number;
  /** Goroutines whose printed parent is not in the dump (it exited). */
  orphans: number;
  maxId: number;
  /** Highest id minus the goroutines: about how many were created and have finished (a lower bound). */
  createdAndFinished: number;
  topSpawningSites: SpawningSite[];
  /** In the newest tenth of ids, under a parent in the oldest tenth: fresh connections of long-lived servers. */
  youngUnderOldParent: number;
  /** In the newest tenth of ids, under a parent also in the newest tenth: sub-tasks of recent requests. */
  youngUnderYoungParent: number;
}

/** Why the churn figures mean what they say, for reports that show them. */
export const SPAWN_VIEW_NOTE =
  "goroutine ids are handed out in increasing order, so the highest id minus the live count is about how many goroutines this process created and finished. A young goroutine (id in the top tenth) under an old parent (bottom tenth) is typically a fresh connection of a long-lived server; under a young parent, a sub-task of a recent request.";

/**
 * Parent chains walked from each goroutine up to this many steps; a longer one (or parent ids that loop)
 * sends the count to countFromLeaves. Real spawn chains are a few levels deep.
 */
const WALK_MAX = 64;

/**
 * Per position, how many goroutines lie below it (children, their children, …), from each position's
 * parent position (-1: none). Walking up from every goroutine costs its depth each, the fastest way on a
 * real dump (a few levels: one pass, where countFromLeaves makes three); a chain of more than WALK_MAX
 * levels, or parent ids that loop, are counted from the leaves instead.
 */
export function countBelow(parentIdx: Int32Array): Int32Array {
  const n = parentIdx.length;
  const below = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let p = parentIdx[i]!;
    for (let steps = 0; p !== -1; steps++) {
      if (steps === WALK_MAX) return countFromLeaves(parentIdx);
      below[p]!++;
      p = parentIdx[p]!;
    }
  }
  return below;
}

/**
 * countBelow from the leaves up, each goroutine once (Kahn's order), so a long chain costs no more than a
 * bushy tree: walking up with a cap of 10,000 steps took 6 s on 200,000 goroutines whose parent ids loop
 * (dumps of several processes joined, where ids repeat). A goroutine on such a loop has every other
 * goroutine that reaches the loop below it.
 */
export function countFromLeaves(parentIdx: Int32Array): Int32Array {
  const n = parentIdx.length;
  const below = new Int32Array(n);
  // Children not yet counted into each position; a position is done when it has none left.
  const pending = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = parentIdx[i]!;
    if (p !== -1) pending[p]!++;
  }
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (pending[i] === 0) queue[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const p = parentIdx[i]!;
    if (p === -1) continue;
    below[p]! += 1 + below[i]!;
    if (--pending[p]! === 0) queue[tail++] = p;
  }
  if (tail === n) return below;
  // What is left lies on loops (a position off every loop has all its children done in the end).
  for (let i = 0; i < n; i++) {
    if (pending[i] === 0) continue;
    let total = 0;
    let c = i;
    do {
      total += 1 + below[c]!;
      c = parentIdx[c]!;
    } while (c !== i);
    do {
      below[c] = total - 1;
      pending[c] = 0;
      c = parentIdx[c]!;
    } while (c !== i);
  }
  return below;
}

/** The spawn view of goroutine records; `top` spawning sites by descendants. */
export function spawnView(c: SpawnColumns, top = 5): SpawnView {
  const { ids, parents, siteOf, sites } = c;
  const n = ids.length;
  const index = IdIndex.of(ids);
  let maxId = 0;
  for (let i = 0; i < n; i++) if (ids[i]! > maxId) maxId = ids[i]!;
  const parentIdx = new Int32Array(n);
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    const p = parents[i]!;
    parentIdx[i] = p >= 0 ? index.first(p) : -1;
    if (p >= 0 && parentIdx[i] === -1) orphans++;
  }
  const below = countBelow(parentIdx);
  // Per creator site, in arrays by site id; `seen` lists the sites in order of first appearance (the
  // order ties keep in the ranking below).
  const children = new Int32Array(sites.length);
  const descendants = new Float64Array(sites.length);
  const seen: number[] = [];
  let youngUnderOldParent = 0;
  let youngUnderYoungParent = 0;
  for (let i = 0; i < n; i++) {
    const s = siteOf[i]!;
    if (s > 0) {
      if (children[s] === 0) seen.push(s);
      children[s]!++;
      descendants[s]! += 1 + below[i]!;
    }
    const p = parents[i]!;
    if (ids[i]! >= 0.9 * maxId && p >= 0) {
      if (p <= 0.1 * maxId) youngUnderOldParent++;
      else if (p >= 0.9 * maxId) youngUnderYoungParent++;
    }
  }
  const topSpawningSites = seen
    .sort((a, b) => descendants[b]! - descendants[a]!)
    .slice(0, top)
    .map((s) => {
      const site = sites[s]!;
      return {
        site: `${site.function} ${site.file}:${site.line}`,
        children: children[s]!,
        descendants: descendants[s]!,
      };
    });
  const goroutines = index.distinct();
  return {
    goroutines,
    orphans,
    maxId,
    createdAndFinished: Math.max(0, maxId - goroutines),
    topSpawningSites,
    youngUnderOldParent,
    youngUnderYoungParent,
  };
}

/** The spawn view of parsed goroutines (builds the columns; a streaming consumer keeps its own). */
export function spawnViewOf(goroutines: Iterable<Goroutine>, top = 5): SpawnView {
  const sites = new SiteInterner();
  const ids: number[] = [];
  const parents: number[] = [];
  const siteOf: number[] = [];
  for (const g of goroutines) {
    ids.push(g.id);
    parents.push(g.createdBy?.parentId ?? -1);
    siteOf.push(sites.id(g.createdBy));
  }
  return spawnView({ ids, parents, siteOf, sites: sites.sites }, top);
}
