// The kind `stacks`: its consumer and the buffers of its partials (moved between threads). A module of its own,
// loaded by range-parse.ts's loadKind when a command uses the kind, so no other command compiles it.
import type { StreamItem } from "@gosleuth/model";
import { type GrouperOptions, StackGrouper, type StacksPartial } from "@gosleuth/stacks";
import type { Consumer, RangeOptions } from "../range-parse.ts";

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

export const KIND = {
  make: (o: RangeOptions) => new StacksConsumer(o.stacks),
  buffers: (p: StacksPartial): ArrayBufferView[] => [p.table],
};
