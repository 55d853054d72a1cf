// The start function of a goroutine: one rule, used for tree names, leak groups, summary and the viewer.
import type { FunctionName } from "./index.ts";

/**
 * The frame a goroutine was started with: its outermost frame that is not runtime scaffolding.
 * Scaffolding is `runtime.goexit`, which the runtime prints below every goroutine's first function
 * whenever it shows runtime frames (GOTRACEBACK=system/crash, signal dumps, `gp=` dumps, Windows pprof
 * dumps' `runtime.goexit({})`), and `runtime.main` directly above `main.main`, the main goroutine's
 * own scaffolding. Neither says what the goroutine does. Where runtime frames are shown, so are the
 * compiler's `go` statement wrappers (`main.main.gowrap1`, named after the function holding the `go`
 * statement): the start is the function the statement called, the frame above the wrapper, as in a
 * debug=2 dump of the same program, which hides wrappers. A stack of scaffolding alone keeps its
 * outermost frame. Works for goroutine frames and for debug=1/debug=0 group frames alike.
 */
export function startFrame<F extends { readonly fn?: FunctionName }>(frames: readonly F[]): F | undefined {
  let i = frames.length - 1;
  if (i >= 1 && frames[i]!.fn?.full === "runtime.goexit") i--;
  if (i >= 1 && frames[i]!.fn?.full === "runtime.main" && frames[i - 1]!.fn?.full === "main.main") i--;
  else if (i >= 1 && isGoWrapper(frames[i]!.fn?.full ?? "")) i--;
  return frames[i];
}

/** `….gowrapN`: the wrapper the compiler makes for a `go` statement with arguments (Go 1.22+). */
function isGoWrapper(name: string): boolean {
  const at = name.lastIndexOf(".gowrap");
  if (at < 0 || at + 7 === name.length) return false;
  for (let k = at + 7; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The full name of startFrame's function, or "" for a goroutine without frames. */
export function startFunctionName(frames: readonly { readonly fn?: FunctionName }[]): string {
  return startFrame(frames)?.fn?.full ?? "";
}
