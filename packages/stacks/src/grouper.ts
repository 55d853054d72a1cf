// Goroutines grouped by stack while a dump streams: one pass, nothing kept of a goroutine but its id and
// what it adds to its group, foldable across threads (each thread groups its byte range; the partials merge).
//
// How this grouping relates to leaks' (packages/leaks): at similarity `any` a group is exactly a leaks
// group, signature (functions, files, lines, elisions, state class) plus creator site, through the same
// interners. `pointers` (the default) and `exact` only split those groups further by argument values
// (`pointers`: values below 8 MiB, which are lengths, flags and descriptors, must agree; addresses may
// differ; `exact`: every argument must agree). So every `stacks` group lies inside one leaks group, and
// the three levels nest: exact groups ⊆ pointers groups ⊆ any groups = leaks groups. The creator site is
// part of the key because the same stack started from two places is two different kinds of goroutine
// (a per-request worker and a start-up one) for a reader and for leak scoring alike.
//
// The pieces: local-groups.ts finds a goroutine's group within one part, group.ts adds it there,
// wire.ts carries a part's groups between threads, merge-groups.ts matches them across parts,
// profile-groups.ts takes debug=1/debug=0 records.
import type { Goroutine, StreamItem } from "@gosleuth/model";
import { type CompiledFilter, compileFilter, parseFilter } from "@gosleuth/query";
import { SignatureInterner, SiteInterner, StackMemo } from "@gosleuth/spawn-graph/internal";
import { ArgKeyNumbers } from "./arg-keys.ts";
import type { Similarity } from "./args.ts";
import { subjectOf } from "./filter-subject.ts";
import { addGoroutine, compactParents, type Group, type GroupData, groupData } from "./group.ts";
import { LocalGroups } from "./local-groups.ts";
import { GroupMerger } from "./merge-groups.ts";
import { ProfileGroups } from "./profile-groups.ts";
import { readableKey } from "./readable-key.ts";
import { encodeGroups, type StacksPartial } from "./wire.ts";

export type { GroupData, GroupFrame } from "./group.ts";
export type { StacksPartial, WireGroup } from "./wire.ts";

/** Running goroutines remembered (for a signal dump: which one the signal interrupted). */
const RUNNING_CAP = 20;

/** Everything the grouper saw, ready for a report. */
export interface StacksResult {
  goroutines: number;
  /** Goroutines the filter left out. */
  filtered: number;
  groups: GroupData[];
  /** The first goroutine of the first dump in the input (the crashing one of a panic). */
  first: Goroutine | null;
  running: { id: number; m?: string }[];
}

export interface GrouperOptions {
  similarity?: Similarity;
  /** Counts only: no goroutine ids, parents or labels are kept (what `summary` needs for its largest groups). */
  countsOnly?: boolean;
  /** A query in the filter language (`state:chan wait:>10 created:serveConn`); goroutine terms apply here. */
  filter?: string;
}

/**
 * An empty array whose elements are objects from the start: `[]` holds small integers until the first push
 * of an object changes that, and optimized code that pushed onto a list already changed is sent back to
 * be compiled again when the next grouper's list changes.
 */
function objectList<T>(): T[] {
  const l: T[] = [undefined as T];
  l.pop();
  return l;
}

/** Groups goroutines by stack at one similarity level, streaming. */
export class StackGrouper {
  readonly similarity: Similarity;
  private readonly countsOnly: boolean;
  goroutines = 0;
  filtered = 0;
  private first: Goroutine | null = null;
  private readonly running: { id: number; m?: string }[] = [];
  private readonly sigs = new SignatureInterner();
  private readonly sites: SiteInterner;
  /**
   * The group and creator site of a goroutine whose stack is the very one of an earlier goroutine (see
   * StackMemo).
   */
  private readonly memo = new StackMemo<{ group: Group; site: number }>();
  /** Every group, in the order of its first goroutine in the input. */
  private readonly order: Group[] = objectList();
  private readonly args: ArgKeyNumbers;
  private readonly local: LocalGroups;
  private readonly profiles = new ProfileGroups(this.order);
  private merger: GroupMerger | null = null;
  private readonly pred: CompiledFilter["goroutine"];

  /**
   * `sites`: the creator-site interner to number sites with, when the caller numbers them too (it then
   * takes each goroutine's site id from `addItem` instead of looking it up again).
   */
  constructor(o: GrouperOptions = {}, sites: SiteInterner = new SiteInterner()) {
    this.similarity = o.similarity ?? "pointers";
    this.countsOnly = o.countsOnly ?? false;
    this.args = new ArgKeyNumbers(this.similarity);
    this.local = new LocalGroups(this.args, !this.countsOnly, this.order);
    this.pred = o.filter ? compileFilter(parseFilter(o.filter)).goroutine : null;
    this.sites = sites;
  }

  add(batch: readonly StreamItem[]): void {
    for (const item of batch) this.addItem(item);
  }

  /**
   * Adds one parsed item (a goroutine, or a debug=1/debug=0 record); returns a goroutine's creator site id
   * (in the `sites` interner), or -1 for a record or a goroutine the filter left out.
   */
  addItem(item: StreamItem): number {
    if (item.kind === "group") {
      this.goroutines += item.count;
      this.profiles.add(item);
      return -1;
    }
    return this.addGoroutine(item);
  }

  private addGoroutine(g: Goroutine): number {
    if (this.first === null && g.dumpIndex === 0) this.first = g;
    if (g.stateClass === "running" && this.running.length < RUNNING_CAP) {
      this.running.push(g.m === undefined ? { id: g.id } : { id: g.id, m: g.m });
    }
    if (this.pred && !this.pred(subjectOf(g))) {
      this.filtered++;
      return -1;
    }
    this.goroutines++;
    // Frames that are the very objects of an earlier goroutine's (with its state class, elisions and
    // creator site) mean its group: the same signature, site and argument keys, nothing new to merge.
    let known = this.memo.get(g);
    if (known === undefined) {
      const site = this.sites.id(g.createdBy);
      const group = this.local.groupOf(g, this.sigs.id(g), site, this.sites.sites[site] ?? null);
      known = { group, site };
      this.memo.set(g, known);
    }
    addGoroutine(known.group, g, this.countsOnly);
    return known.site;
  }

  /** This part as plain data (the grouper is not used afterwards). */
  partial(): StacksPartial {
    return {
      goroutines: this.goroutines,
      filtered: this.filtered,
      first: this.first,
      running: this.running,
      ...encodeGroups(this.order),
    };
  }

  /** Folds a later part in (parts in input order). */
  merge(p: StacksPartial): void {
    this.goroutines += p.goroutines;
    this.filtered += p.filtered;
    this.first ??= p.first;
    for (const r of p.running) if (this.running.length < RUNNING_CAP) this.running.push(r);
    this.merger ??= new GroupMerger(this.args);
    this.merger.merge(p, this.order);
  }

  reserve(_n: number): void {}

  /**
   * Everything seen. `keys`: fill each group's readable key (signature, creator site, argument keys; for
   * tests and tools; reports do not need it, and it is long text per group). `copy: false`: the groups
   * are the grouper's own (parents made distinct in place, keys empty), to read once and add no more:
   * buildReport copies the few it shows, and a copy of every group was 23 MB of `summary`'s peak where
   * 100,000 stacks differ.
   */
  result(o: { keys?: boolean; copy?: boolean } = {}): StacksResult {
    return {
      goroutines: this.goroutines,
      filtered: this.filtered,
      first: this.first,
      running: this.running,
      groups:
        o.copy === false && !o.keys
          ? this.order.map((a) => {
              compactParents(a);
              return a;
            })
          : this.order.map((a) => groupData(a, o.keys ? readableKey(a, this.similarity) : "")),
    };
  }
}
