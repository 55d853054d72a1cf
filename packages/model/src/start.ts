// The start function of a goroutine: one rule, used for tree names, leak groups, summary and the viewer.
import type { FunctionName } from "./index.ts";

/**
 * The frame a goroutine was started with: its outermost frame that is not runtime scaffolding.
 * Scaffolding is `runtime.goexit`, which the runtime prints below every goroutine's first function
 * whenever it shows runtime frames (GOTRACEBACK=system/crash, signal dumps, `gp=` dumps, Windows pprof
 * dumps' `runtime.goexit({})`), and `runtime.main` directly above `main.main`, the main goroutine's
 * own scaffolding. Neither says what the goroutine does. A stack of scaffolding alone keeps its
 * outermost frame. Works for goroutine frames and for debug=1/debug=0 group frames alike.
 */
export function startFrame<F extends { readonly fn?: FunctionName }>(frames: readonly F[]): F | undefined {
  let i = frames.length - 1;
  if (i >= 1 && frames[i]!.fn?.full === "runtime.goexit") i--;
  if (i >= 1 && frames[i]!.fn?.full === "runtime.main" && frames[i - 1]!.fn?.full === "main.main") i--;
  return frames[i];
}

/** The full name of startFrame's function, or "" for a goroutine without frames. */
export function startFunctionName(frames: readonly { readonly fn?: FunctionName }[]): string {
  return startFrame(frames)?.fn?.full ?? "";
}
