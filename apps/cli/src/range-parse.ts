// What each command folds a dump into (one-thread or per byte range), and one byte range of a dump file
// parsed into such a partial (run on the main thread and on workers). A partial is plain data whose
// typed arrays are transferred, not copied, between threads.
import type { PartialLeakSettings } from "@gosleuth/leaks";
import type { StreamItem } from "@gosleuth/model";
import { type FragmentInfo, parseFragment, warmUp } from "@gosleuth/parser";
import type { GrouperOptions } from "@gosleuth/stacks";
import { fileChunks } from "./file-chunks.ts";

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

/** Settings a command passes to its consumers (plain data: they travel to the workers). */
export interface RangeOptions {
  leakSettings?: PartialLeakSettings;
  stacks?: GrouperOptions;
}

/**
 * Per kind, its module: how to make its consumer, and the buffers of its partials (moved between threads).
 * Loaded when used, so `summary` does not compile the leak analysis, nor `tree` the stack grouping.
 */
const KINDS = {
  summary: () => import("./kinds/summary.ts"),
  tree: () => import("./kinds/tree.ts"),
  stacks: () => import("./kinds/stacks.ts"),
  leaks: () => import("./kinds/leaks.ts"),
};
export type PartialKind = keyof typeof KINDS;
type KindEntry<K extends PartialKind> = Awaited<ReturnType<(typeof KINDS)[K]>>["KIND"];
export type ConsumerOf<K extends PartialKind> = ReturnType<KindEntry<K>["make"]>;
export type PartialOf<K extends PartialKind> = ReturnType<ConsumerOf<K>["partial"]>;

/** The kind's entry, typed for use with any kind. */
export interface Kind<K extends PartialKind> {
  make: (o: RangeOptions) => ConsumerOf<K> & Consumer<PartialOf<K>>;
  buffers: (p: PartialOf<K>) => ArrayBufferView[];
  /** False: the first range is parsed into a partial and merged, not into the merged consumer itself. */
  direct?: boolean;
}

/** Inputs from this size on are parsed after a warm-up (see warmUpKind). */
export const WARM_UP_BYTES = 8 * 1024 * 1024;

/**
 * Whether to warm up before parsing a local file of `size` bytes (null: not a local file):
 * GOSLEUTH_WARM_UP=0 never, =1 always (the tests), else from WARM_UP_BYTES on.
 */
export function wantsWarmUp(size: number | null, env = process.env.GOSLEUTH_WARM_UP): boolean {
  if (env === "0") return false;
  if (env === "1") return true;
  return size !== null && size >= WARM_UP_BYTES;
}

/**
 * Parses the parser's made-up sample (@gosleuth/parser's warmUp) into a consumer of the kind made for it
 * alone, before this thread parses a big input: V8 then optimises the parser and the consumer having
 * seen their branches taken, instead of throwing the optimised code away at the first branch it had
 * not seen (a few milliseconds; on the 216k bench dump 6–7% less CPU time and 2–4% less wall time, paired
 * runs: tooling/bench/README.md).
 * Nothing of it reaches the real parse: the sample has a session and a consumer of its own.
 */
export function warmUpKind<K extends PartialKind>(kind: Kind<K>, options: RangeOptions): void {
  const c = kind.make(options);
  warmUp((items) => c.add(items));
}

/** Loads the kind's module (once: import() caches it). */
export async function loadKind<K extends PartialKind>(k: K): Promise<Kind<K>> {
  return (await KINDS[k]()).KIND as never;
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
  const acc = into ?? (await loadKind(k)).make(options);
  let sentBytes = 0;
  let sentCount = 0;
  const f = parseFragment(fileChunks(file, start, end), {
    // What the text around a dump says is read; the text itself is not given back (see consumeInput).
    lossless: false,
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
