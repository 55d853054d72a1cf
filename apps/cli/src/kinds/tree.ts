// The kind `tree`: its consumer and the buffers of its partials (moved between threads). A module of its own,
// loaded by range-parse.ts's loadKind when a command uses the kind, so no other command compiles it.
import type { StreamItem } from "@gosleuth/model";
import { type AggregatePartial, AggregateTreeBuilder } from "@gosleuth/spawn-graph";
import type { Consumer, RangeOptions } from "../range-parse.ts";

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

export const KIND = {
  make: (_o: RangeOptions) => new TreeConsumer(),
  buffers: (p: AggregatePartial) => [p.ids, p.parents, p.sigOf, p.siteOf, p.waits, p.stateOf],
};
