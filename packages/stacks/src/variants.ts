// The bound on argument variants per stack. Where every goroutine's arguments differ (`exact` on a busy
// server: a group per goroutine), groups past the bound fold into one group per key of the next coarser
// level (`exact` folds by `pointers` keys, `pointers` into one group), so memory follows the stacks, not
// the goroutines, and the three levels still nest. One pass and a merge of parts fold alike.
import { argsKey, type Similarity } from "./args.ts";

/** Argument variants kept apart per signature and creator site. */
export const MAX_VARIANTS = 256;

/** The key a variant past MAX_VARIANTS folds under: its frames' arguments at the next coarser level. */
export function foldKey(similarity: Similarity, frames: number, argsOf: (frame: number) => string): string {
  let fold = "";
  if (similarity === "exact") for (let i = 0; i < frames; i++) fold += `${argsKey(argsOf(i), "pointers")}\n`;
  return fold;
}
