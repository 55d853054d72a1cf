// What `gosleuth summary` keeps of each goroutine while a dump streams: counts, and three numbers a
// goroutine in typed arrays (id, parent id, creator site), foldable across threads.
import { type StateClass, type StreamItem, startFunctionName } from "@gosleuth/model";
import {
  type CreatorSite,
  FAST_GROWTH,
  Growable,
  IdColumn,
  SiteInterner,
} from "@gosleuth/spawn-graph/internal";
import { StackGrouper, type StacksPartial } from "@gosleuth/stacks";

export interface WaitEntry {
  id: number;
  state: string;
  waitMinutes: number;
  fn: string;
}

/** What a part of a dump contributes to the summary (one thread's byte range, or the whole input). */
export interface SummaryPartial {
  goroutines: number;
  groups: number;
  frames: number;
  maxId: number;
  states: Partial<Record<StateClass, number>>;
  /** In order of first appearance (ties in the final sort keep that order). */
  rawStates: [string, number][];
  /** Creator sites by id (0: none), as SiteInterner numbers them. */
  sites: (CreatorSite | null)[];
  /** Goroutines per creator site id (index 0: those without a creator). */
  siteCounts: number[];
  /** One record per goroutine: id, parent id (-1: none), creator site id (0: none). */
  ids: Int32Array | Float64Array;
  parents: Int32Array | Float64Array;
  siteOf: Int32Array;
  /** The five longest waits, earliest first among equals. */
  waits: WaitEntry[];
  /** Goroutines grouped by stack (counts only), for the crash and the largest groups. */
  stacks: StacksPartial;
}

/** Folds parsed items into a SummaryPartial; no goroutine is retained. */
export class SummaryAccumulator {
  goroutines = 0;
  groups = 0;
  frames = 0;
  /** Goroutines without `created by` (site 0: no creator). */
  get roots(): number {
    return this.siteCounts[0]!;
  }
  maxId = 0;
  readonly states: Partial<Record<StateClass, number>> = {};
  readonly rawStates = new Map<string, number>();
  readonly sites = new SiteInterner();
  /** Goroutines per creator site id: the creators are counted by site, and by function at the end. */
  private readonly siteCounts: number[] = [0];
  // Compact per-goroutine numbers in typed arrays (12 bytes a goroutine), so memory stays small
  // even for millions of goroutines (on one thread nothing reserves their room ahead: FAST_GROWTH).
  readonly recId = new IdColumn(FAST_GROWTH);
  readonly recParent = new IdColumn(FAST_GROWTH);
  readonly recSite = new Growable(Int32Array, 1024, FAST_GROWTH);
  waits: WaitEntry[] = [];
  // Similarity `any`, counts only: leaks' groups, the cheapest grouping, enough to name the largest. It
  // numbers creator sites with this accumulator's interner, and its site id for each goroutine is the
  // one recorded here (no second lookup).
  readonly stacks = new StackGrouper({ similarity: "any", countsOnly: true }, this.sites);

  /** Goroutines per creator function, in order of first appearance (from the counts per site). */
  get creators(): Map<string, number> {
    const out = new Map<string, number>();
    // Site ids are handed out in order of first appearance, so a function's first site comes first.
    for (let s = 1; s < this.siteCounts.length; s++) {
      const c = this.siteCounts[s]!;
      if (c === 0) continue;
      const fn = this.sites.sites[s]!.function;
      out.set(fn, (out.get(fn) ?? 0) + c);
    }
    return out;
  }

  add(batch: readonly StreamItem[]): void {
    for (const item of batch) {
      const site = this.stacks.addItem(item);
      if (item.kind === "group") {
        this.groups++;
        this.goroutines += item.count;
        this.frames += item.frames.length * item.count;
        this.states.unknown = (this.states.unknown ?? 0) + item.count;
        continue;
      }
      const g = item;
      this.goroutines++;
      this.frames += g.frames.length;
      this.states[g.stateClass] = (this.states[g.stateClass] ?? 0) + 1;
      this.rawStates.set(g.state, (this.rawStates.get(g.state) ?? 0) + 1);
      if (g.id > this.maxId) this.maxId = g.id;
      const c = g.createdBy;
      const counts = this.siteCounts;
      while (counts.length <= site) counts.push(0);
      counts[site]!++;
      this.recId.push(g.id);
      this.recParent.push(c?.parentId ?? -1);
      this.recSite.push(site);
      const waits = this.waits;
      if (g.waitMinutes > 0 && (waits.length < 5 || g.waitMinutes > waits[waits.length - 1]!.waitMinutes)) {
        waits.push({
          id: g.id,
          state: g.state,
          waitMinutes: g.waitMinutes,
          fn: startFunctionName(g.frames),
        });
        waits.sort((a, b) => b.waitMinutes - a.waitMinutes);
        if (waits.length > 5) waits.pop();
      }
    }
  }

  /** Makes room for this many goroutines in all (untouched room costs no memory until used). */
  reserve(n: number): void {
    this.recId.reserve(n);
    this.recParent.reserve(n);
    this.recSite.reserve(n);
  }

  /** Folds a later part's partial (parts must come in input order). */
  merge(p: SummaryPartial): void {
    this.goroutines += p.goroutines;
    this.groups += p.groups;
    this.frames += p.frames;
    if (p.maxId > this.maxId) this.maxId = p.maxId;
    for (const [k, v] of Object.entries(p.states) as [StateClass, number][])
      this.states[k] = (this.states[k] ?? 0) + v;
    for (const [k, v] of p.rawStates) this.rawStates.set(k, (this.rawStates.get(k) ?? 0) + v);
    const siteMap = p.sites.map((s) => this.sites.intern(s));
    const counts = this.siteCounts;
    for (let s = 0; s < p.siteCounts.length; s++) {
      const to = siteMap[s]!;
      while (counts.length <= to) counts.push(0);
      counts[to]! += p.siteCounts[s]!;
    }
    this.recId.append(p.ids);
    this.recParent.append(p.parents);
    this.recSite.appendMapped(p.siteOf, siteMap);
    // Earlier parts first, then a stable sort: equal waits keep input order, as one pass would.
    this.waits = [...this.waits, ...p.waits].sort((a, b) => b.waitMinutes - a.waitMinutes).slice(0, 5);
    this.stacks.merge(p.stacks);
  }

  /**
   * The partial. Its records are views of this accumulator's buffers (no copy: fresh memory is slow to
   * touch here); transferring them to another thread moves the buffers, so use the accumulator no more.
   */
  partial(): SummaryPartial {
    return {
      goroutines: this.goroutines,
      groups: this.groups,
      frames: this.frames,
      maxId: this.maxId,
      states: this.states,
      rawStates: [...this.rawStates],
      sites: this.sites.sites,
      siteCounts: this.siteCounts,
      ids: this.recId.view(),
      parents: this.recParent.view(),
      siteOf: this.recSite.view(),
      waits: this.waits,
      stacks: this.stacks.partial(),
    };
  }
}
