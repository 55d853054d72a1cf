// What each command folds a dump into (one-thread or per byte range), and one byte range of a dump file
// parsed into such a partial (run on the main thread and on workers). A partial is plain data whose
// typed arrays are transferred, not copied, between threads.
import { createReadStream } from "node:fs";
import { type GrouperPartial, LeakAnalyzer, type PartialLeakSettings } from "@gosleuth/leaks";
import type { GoroutineGroup, StreamItem } from "@gosleuth/model";
import { type FragmentInfo, parseFragment } from "@gosleuth/parser";
import { type AggregatePartial, AggregateTreeBuilder } from "@gosleuth/spawn-graph";
import { type GrouperOptions, StackGrouper, type StacksPartial } from "@gosleuth/stacks";
import { READ_CHUNK } from "./input.ts";
import { SummaryAccumulator, type SummaryPartial } from "./summary-records.ts";

/** Progress is reported every this many bytes (and at the end of the range). */
const PROGRESS_STEP = 4 * 1024 * 1024;

/** Folds parsed items in, and merges other threads' partials of the same dump (in input order). */
export interface Consumer<P> {
  add(batch: readonly StreamItem[]): void;
  /** Goroutines added or merged so far (for progress). */
  readonly goroutines: number;
  partial(): P;
  merge(p: P): void;
  /** Room for this many goroutines in all, before merging. */
  reserve(n: number): void;
}

/** The aggregated tree (`gosleuth tree`). */
export class TreeConsumer implements Consumer<AggregatePartial> {
  readonly builder = new AggregateTreeBuilder();
  add(batch: readonly StreamItem[]): void {
    for (const g of batch) if (g.kind === "goroutine") this.builder.add(g);
  }
  get goroutines(): number {
    return this.builder.count;
  }
  partial(): AggregatePartial {
    return this.builder.partial();
  }
  merge(p: AggregatePartial): void {
    this.builder.merge(p);
  }
  reserve(n: number): void {
    this.builder.reserve(n);
  }
}

/** The leak analysis of one dump (`gosleuth leaks` with one input). */
export class LeaksConsumer implements Consumer<GrouperPartial> {
  readonly analyzer: LeakAnalyzer;
  goroutines = 0;
  /** debug=1/debug=0 groups (small: one per distinct stack), scored apart from goroutines. */
  readonly profile: GoroutineGroup[] = [];
  get groups(): number {
    return this.profile.length;
  }
  constructor(settings?: PartialLeakSettings) {
    this.analyzer = new LeakAnalyzer(settings);
  }
  add(batch: readonly StreamItem[]): void {
    for (const item of batch) {
      if (item.kind === "goroutine") {
        this.analyzer.add(item);
        this.goroutines++;
      } else this.profile.push(item);
    }
  }
  partial(): GrouperPartial {
    return this.analyzer.partial();
  }
  merge(p: GrouperPartial): void {
    this.analyzer.merge(p);
    this.goroutines += p.startIds.length;
  }
  reserve(n: number): void {
    this.analyzer.reserve(n);
  }
}

/** Goroutines grouped by stack (`gosleuth stacks`, and the groups `summary` prints). */
export class StacksConsumer implements Consumer<StacksPartial> {
  readonly grouper: StackGrouper;
  constructor(o?: GrouperOptions) {
    this.grouper = new StackGrouper(o);
  }
  add(batch: readonly StreamItem[]): void {
    this.grouper.add(batch);
  }
  get goroutines(): number {
    return this.grouper.goroutines + this.grouper.filtered;
  }
  partial(): StacksPartial {
    return this.grouper.partial();
  }
  merge(p: StacksPartial): void {
    this.grouper.merge(p);
  }
  reserve(n: number): void {
    this.grouper.reserve(n);
  }
}

/** Settings a command passes to its consumers (plain data: they travel to the workers). */
export interface RangeOptions {
  leakSettings?: PartialLeakSettings;
  stacks?: GrouperOptions;
}

/** Per kind: how to make its consumer, and the buffers of its partials (moved between threads). */
export const KINDS = {
  summary: {
    make: (_o: RangeOptions) => new SummaryAccumulator(),
    buffers: (p: SummaryPartial) => [p.ids, p.parents, p.siteOf, p.stacks.table],
  },
  tree: {
    make: (_o: RangeOptions) => new TreeConsumer(),
    buffers: (p: AggregatePartial) => [p.ids, p.parents, p.sigOf, p.siteOf, p.waits, p.stateOf],
  },
  stacks: {
    make: (o: RangeOptions) => new StacksConsumer(o.stacks),
    buffers: (p: StacksPartial): ArrayBufferView[] => [p.table],
  },
  leaks: {
    // Its first range is parsed into a partial like the others: analysed in place, the analyzer's columns
    // grow while the later ranges' partials wait: on the 1.5 GB unique-arguments dump its peak RSS was
    // 288/292 MB in place against 279/283 MB as a partial (the runs in 662e237's message).
    direct: false,
    make: (o: RangeOptions) => new LeaksConsumer(o.leakSettings),
    buffers: (p: GrouperPartial) => [
      p.startIds,
      p.startFns,
      p.lockWaits.sig,
      p.lockWaits.site,
      p.lockWaits.frame,
      p.lockWaits.wait,
      p.lockWaits.argEnd,
      p.lockWaits.args,
      p.holds.cells,
      p.holds.counts,
      p.holds.records,
      p.holds.userParents,
    ],
  },
};
export type PartialKind = keyof typeof KINDS;
export type ConsumerOf<K extends PartialKind> = ReturnType<(typeof KINDS)[K]["make"]>;
export type PartialOf<K extends PartialKind> = ReturnType<ConsumerOf<K>["partial"]>;

/** The kind's table entry, typed for use with any kind. */
export function kind<K extends PartialKind>(
  k: K,
): {
  make: (o: RangeOptions) => ConsumerOf<K> & Consumer<PartialOf<K>>;
  buffers: (p: PartialOf<K>) => ArrayBufferView[];
  /** False: the first range is parsed into a partial and merged, not into the merged consumer itself. */
  direct?: boolean;
} {
  return KINDS[k] as never;
}

export async function parseRange<K extends PartialKind>(
  k: K,
  options: RangeOptions,
  file: string,
  start: number,
  end: number,
  onProgress: (bytes: number, goroutines: number) => void,
  into?: Consumer<PartialOf<K>>,
): Promise<{ partial: PartialOf<K> | null; fragment: FragmentInfo }> {
  const acc = into ?? kind(k).make(options);
  let sentBytes = 0;
  let sentCount = 0;
  const f = parseFragment(createReadStream(file, { start, end: end - 1, highWaterMark: READ_CHUNK }), {
    onPiece: (items) => acc.add(items),
    onProgress: (b) => {
      if (b - sentBytes >= PROGRESS_STEP) {
        onProgress(b - sentBytes, acc.goroutines - sentCount);
        sentBytes = b;
        sentCount = acc.goroutines;
      }
    },
  });
  for await (const batch of f.batches()) acc.add(batch);
  const fragment = await f.fragment;
  onProgress(fragment.bytes - sentBytes, acc.goroutines - sentCount);
  return { partial: into ? null : (acc.partial() as PartialOf<K>), fragment };
}
