// How V8 sizes a parsing thread's heap on big inputs: how far the old generation grows before a full
// garbage collection, and how fast the young generation grows to its full size.
//
// Parsing promotes short-lived objects into the old generation (with unique pointer arguments, more
// bytes than the dump has), while what stays alive is small. On a machine with much memory V8 lets
// each thread's heap grow to up to four times what a full collection left alive, by a factor it picks
// from how busy the machine is: most of a big parse's peak memory was garbage, and the peak moved from
// run to run. A fixed factor of 2 bounds it; it costs more full collections, so it is set only for
// inputs big enough for the unbounded peak to come near the 300 MB line (see tooling/bench/README.md).
import { setFlagsFromString } from "node:v8";

/** Inputs from this size on get the bounded heap growth. */
export const BIG_INPUT_BYTES = 96 * 1024 * 1024;
/** The heap may grow to (1 + this/100) times what a full collection left alive. */
const HEAP_GROWING_PERCENT = 100;

/**
 * The V8 flag that bounds heap growth for an input of `bytes`, or null: small inputs, and node started
 * with its own `--heap-growing-percent` (in its arguments or NODE_OPTIONS), are left alone.
 */
export function heapGrowthFlag(bytes: number, nodeFlags: readonly string[]): string | null {
  if (!(bytes >= BIG_INPUT_BYTES)) return null;
  if (nodeFlags.some((a) => a.includes("--heap-growing-percent"))) return null;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Inputs from this size on get the young generation grown at once (see youngGrowthFlag). */
export const YOUNG_GROWTH_BYTES = 8 * 1024 * 1024;
/** Each time V8 grows the young generation, it multiplies its size by this (V8's default: 2). */
const SEMI_SPACE_GROWTH_FACTOR = 16;

/**
 * The V8 flag that grows the young generation to its full size in one step for an input of `bytes`, or
 * null: small inputs, and node started with its own `--semi-space-growth-factor`, are left alone.
 *
 * The young generation starts at 1 MB and V8 doubles it after collections that kept much alive, up to
 * its maximum (16 MB here): a parse keeps enough alive (the frames, bodies and records it has just made)
 * to grow it every time, so the first steps only cost scavenges that a full-size young generation
 * would not have made (a parse in a warm process, whose young generation has grown, spent 27 ms in the
 * collector against 66 ms in a new one on the 216k dump). The maximum is not changed (that is fixed
 * when the heap is made), so neither is the peak memory. On the 216k dump, paired runs of the same
 * build (tooling/bench/ab.mjs): `summary` 0.977, `tree` 0.981, `leaks` 0.982 of the wall time, 2026-12-03.
 */
export function youngGrowthFlag(bytes: number, nodeFlags: readonly string[]): string | null {
  if (!(bytes >= YOUNG_GROWTH_BYTES)) return null;
  if (nodeFlags.some((a) => a.includes("--semi-space-growth-factor"))) return null;
  return `--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`;
}

/**
 * A full collection that leaves this much alive sets the bounded growth on an input too small for it
 * (or of unknown size): see boundGrowthWhenLive.
 */
export const LIVE_BOUND_BYTES = 48 * 1024 * 1024;

/**
 * Bounds heap growth from the first full collection that leaves LIVE_BOUND_BYTES or more alive: a small
 * input of an unusual shape can keep as much alive as a big one (100,000 goroutines each in a function
 * of its own, 24 MB: `summary` and `tree` peaked at 290–320 MB, the heap grown to 2.7 times what was
 * alive). Only for commands whose peak is mostly garbage: where what stays alive grows with the input
 * (`stacks`, `leaks`), the bound only adds full collections (`stacks` 1.14 of the time there, the same
 * peak). Node started with its own `--heap-growing-percent` is left alone.
 */
export function boundGrowthWhenLive(nodeFlags: readonly string[]): void {
  if (nodeFlags.some((a) => a.includes("--heap-growing-percent"))) return;
  // Loaded only here: node:perf_hooks costs about 2 ms of start-up.
  void import("node:perf_hooks").then(({ PerformanceObserver, constants }) => {
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e.detail as { kind?: number } | null)?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
        // Read when the observer runs, a little after the collection: what it left plus what came since.
        if (process.memoryUsage().heapUsed < LIVE_BOUND_BYTES) continue;
        setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
        observer.disconnect();
        if (process.env.GOSLEUTH_DEBUG)
          process.stderr.write(
            `gosleuth: heap growth bounded (a full collection left ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB)\n`,
          );
        return;
      }
    });
    observer.observe({ entryTypes: ["gc"] });
  });
}

/**
 * Sets both flags for the rest of the process (all threads: V8 flags are per process) when `bytes` is
 * big enough for each (null: not known, a pipe or a URL). V8 reads them at each collection (they only
 * pick growing factors), so setting them while running takes effect and touches nothing else.
 * `boundLive`: below the size for bounded growth, bound it once the live heap is big (boundGrowthWhenLive).
 */
export function tuneHeap(bytes: number | null, boundLive = false): void {
  const nodeFlags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""];
  const growth = bytes === null ? null : heapGrowthFlag(bytes, nodeFlags);
  const young = bytes === null ? null : youngGrowthFlag(bytes, nodeFlags);
  for (const flag of [growth, young]) {
    if (flag !== null) setFlagsFromString(flag);
  }
  if (boundLive && growth === null && (bytes === null || bytes >= YOUNG_GROWTH_BYTES))
    boundGrowthWhenLive(nodeFlags);
}
