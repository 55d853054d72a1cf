// A goroutine as the filter language's goroutine terms see it (`state:`, `wait:`, `created:`, text).
import type { Goroutine } from "@gosleuth/model";
import type { GoroutineSubject } from "@gosleuth/query";

export function subjectOf(g: Goroutine): GoroutineSubject {
  const c = g.createdBy;
  const s: GoroutineSubject = {
    id: g.id,
    state: g.state,
    stateClass: g.stateClass,
    waitMinutes: g.waitMinutes,
    creatorText: c ? `${c.fn.full} ${c.file}:${c.line}`.toLowerCase() : "",
    funcsText: g.frames
      .map((f) => f.fn.full)
      .join("\n")
      .toLowerCase(),
    filesText: g.frames
      .map((f) => `${f.file}:${f.line}`)
      .join("\n")
      .toLowerCase(),
    leaked: g.leaked,
    lockedToThread: g.lockedToThread,
  };
  return g.labels ? { ...s, labels: g.labels } : s;
}
