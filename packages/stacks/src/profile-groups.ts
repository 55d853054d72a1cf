// debug=1 and debug=0 profile records as groups: each record is already a group (a count and one stack,
// no goroutine ids, states or waits); records with the same frames add up.
import type { GoroutineGroup } from "@gosleuth/model";
import { newMergedArgs } from "./args.ts";
import { emptyGroup, type Group, ownLabels } from "./group.ts";

export class ProfileGroups {
  private readonly byKey = new Map<string, Group>();

  /** `order`: each new group is pushed onto it. */
  constructor(private readonly order: Group[]) {}

  add(r: GoroutineGroup): void {
    let key = "profile";
    for (const f of r.frames) key += `\n${f.fn?.full ?? f.pc} ${f.file ?? "?"}:${f.line ?? 0}`;
    let a = this.byKey.get(key);
    if (a === undefined) {
      // Profiles print no waits: the wait range starts at 0, not at "none seen yet".
      a = emptyGroup({
        key,
        stateClass: "unknown",
        waitMin: 0,
        createdBy: null,
        frames: r.frames.map((f) => ({
          function: f.fn?.full ?? f.pc,
          pkg: f.fn?.pkg ?? "",
          file: f.file ?? "?",
          line: f.line ?? 0,
          inlined: false,
          args: newMergedArgs(""),
        })),
        elided: [],
        profile: true,
      });
      this.byKey.set(key, a);
      this.order.push(a);
    }
    a.count += r.count;
    if (r.labels) {
      const labels = ownLabels(a);
      for (const k in r.labels) {
        const kv = `${k}=${r.labels[k]}`;
        labels[kv] = (labels[kv] ?? 0) + r.count;
      }
    }
  }
}
