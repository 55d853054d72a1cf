// How far V8 lets a parsing thread's heap grow before a full garbage collection, on big inputs.
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

/** Bounds heap growth for the rest of the process (all threads: V8 flags are per process) when `bytes` is big. */
export function boundHeapGrowth(bytes: number): void {
  const flag = heapGrowthFlag(bytes, [...process.execArgv, process.env.NODE_OPTIONS ?? ""]);
  // V8 reads this flag at each collection (it only picks the growing factor), so setting it while
  // running takes effect and touches nothing else.
  if (flag !== null) setFlagsFromString(flag);
}
