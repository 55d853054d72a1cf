// The bound on argument variants per stack. Where every goroutine's arguments differ (`exact` on a busy
// server: a group per goroutine), groups past the bound fold into one group per key of the next coarser
// level (`exact` folds by `pointers` keys, `pointers` into one group), so memory follows the stacks, not
// the goroutines, and the three levels still nest. One pass and a merge of parts fold alike.
import { argsKey, type Similarity } from "./args.ts";
import type { Group } from "./group.ts";

/** Argument variants kept apart per signature and creator site. */
export const MAX_VARIANTS = 256;

/** The key a variant past MAX_VARIANTS folds under: its frames' arguments at the next coarser level. */
export function foldKey(similarity: Similarity, frames: number, argsOf: (frame: number) => string): string {
  let fold = "";
  if (similarity === "exact") for (let i = 0; i < frames; i++) fold += `${argsKey(argsOf(i), "pointers")}\n`;
  return fold;
}

/**
 * The group among `bucket` (the variants of one stack under one hash of their argument-key numbers) whose
 * `argKeys` are keys[0..n): checked number by number, so a hash collision never merges two groups.
 */
export function variantIn(
  bucket: readonly Group[] | undefined,
  keys: Int32Array,
  n: number,
): Group | undefined {
  if (bucket !== undefined)
    for (const c of bucket) {
      const k = c.argKeys!;
      if (k.length !== n) continue;
      let same = true;
      for (let i = 0; i < n && same; i++) same = k[i] === keys[i];
      if (same) return c;
    }
  return undefined;
}
