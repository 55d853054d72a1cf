// The kind `leaks`: its consumer and the buffers of its partials (moved between threads). A module of its own,
// loaded by range-parse.ts's loadKind when a command uses the kind, so no other command compiles it.
import { type GrouperPartial, LeakAnalyzer, type PartialLeakSettings } from "@gosleuth/leaks";
import type { GoroutineGroup, StreamItem } from "@gosleuth/model";
import type { Consumer, RangeOptions } from "../range-parse.ts";

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

export const KIND = {
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
};
