// The frame a finding points at: the first one that is the program's own code rather than the machinery of blocking.
import type { Frame } from "@gosleuth/model";
import type { Location } from "./finding.ts";

/** Frames that are the machinery of blocking, not the code that blocked. */
function isBlockingMachinery(fn: string): boolean {
  return (
    fn.startsWith("runtime.") ||
    fn.startsWith("internal/") ||
    fn.startsWith("sync.") ||
    fn.startsWith("sync/atomic.") ||
    fn === "time.Sleep" ||
    fn.startsWith("context.") ||
    fn.startsWith("reflect.") ||
    fn === "panic" ||
    fn.startsWith("os/signal.") ||
    fn.startsWith("net.(*netFD)") ||
    fn.startsWith("net.(*conn)") ||
    fn.startsWith("syscall.")
  );
}

/** What blockingFrame reads of a frame (a goroutine's frame, or a profile group's printed frame). */
export type StackFrame = Pick<Frame, "fn" | "file" | "line">;

/** The first frame outside the blocking machinery; the top frame when the whole stack is machinery. */
export function blockingFrame(frames: readonly StackFrame[]): Location | null {
  for (const f of frames)
    if (!isBlockingMachinery(f.fn.full)) return { function: f.fn.full, file: f.file, line: f.line };
  const f = frames[0];
  return f ? { function: f.fn.full, file: f.file, line: f.line } : null;
}
