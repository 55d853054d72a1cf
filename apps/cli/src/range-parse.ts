// One byte range of a dump file parsed into a command's partial result (run on the main thread and
// on workers). Each kind of partial is plain data with its big arrays listed for transfer.
import { createReadStream } from "node:fs";
import { type GrouperPartial, LeakAnalyzer, type PartialLeakSettings } from "@gosleuth/leaks";
import type { StreamItem } from "@gosleuth/model";
import { type FragmentInfo, parseFragment } from "@gosleuth/parser";
import { type AggregatePartial, AggregateTreeBuilder } from "@gosleuth/spawn-graph";
import { SummaryAccumulator, type SummaryPartial } from "./commands/summary.ts";
import { READ_CHUNK } from "./input.ts";

/** Progress is reported every this many bytes (and at the end of the range). */
const PROGRESS_STEP = 4 * 1024 * 1024;

export interface Partials {
  summary: SummaryPartial;
  tree: AggregatePartial;
  leaks: GrouperPartial;
}
export type PartialKind = keyof Partials;

interface Consumer<P> {
  add(batch: readonly StreamItem[]): void;
  readonly goroutines: number;
  partial(): P;
}

/** Settings a command passes to its consumers (plain data: they travel to the workers). */
export interface RangeOptions {
  leakSettings?: PartialLeakSettings;
}

const consumers: { [K in PartialKind]: (o: RangeOptions) => Consumer<Partials[K]> } = {
  summary: () => new SummaryAccumulator(),
  tree: () => {
    const b = new AggregateTreeBuilder();
    return {
      add(batch) {
        for (const g of batch) if (g.kind === "goroutine") b.add(g);
      },
      get goroutines() {
        return b.count;
      },
      partial: () => b.partial(),
    };
  },
  leaks: (o) => {
    const a = new LeakAnalyzer(o.leakSettings);
    let count = 0;
    return {
      add(batch) {
        for (const g of batch)
          if (g.kind === "goroutine") {
            a.add(g);
            count++;
          }
      },
      get goroutines() {
        return count;
      },
      partial: () => a.partial(),
    };
  },
};

/** The goroutines a partial holds. */
export function partialCount(p: Partials[PartialKind]): number {
  return "startIds" in p ? p.startIds.length : p.ids.length;
}

/** The buffers of a partial's typed arrays (moved, not copied, to the main thread). */
export function transferList(p: Partials[PartialKind]): ArrayBuffer[] {
  const arrays =
    "sigOf" in p
      ? [p.ids, p.parents, p.sigOf, p.siteOf, p.waits, p.stateOf]
      : "startIds" in p
        ? [p.startIds, p.startFns]
        : [p.ids, p.parents, p.sites];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

export async function parseRange<K extends PartialKind>(
  kind: K,
  options: RangeOptions,
  file: string,
  start: number,
  end: number,
  onProgress: (bytes: number, goroutines: number) => void,
): Promise<{ partial: Partials[K]; fragment: FragmentInfo }> {
  const acc = consumers[kind](options) as Consumer<Partials[K]>;
  let sentBytes = 0;
  let sentCount = 0;
  const f = parseFragment(createReadStream(file, { start, end: end - 1, highWaterMark: READ_CHUNK }), {
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
  return { partial: acc.partial(), fragment };
}
