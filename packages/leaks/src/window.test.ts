// The sliding window against the full snapshot analysis, on leakybank's recorded snapshots.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { analyzeSnapshots } from "./snapshots.ts";
import { SnapshotWindow } from "./window.ts";

const files = listFixtures("labeled/leakybank").filter((f) => f.endsWith("-debug2.txt"));
const snaps = files.map((f) => ({
  goroutines: parseDump(readFileSync(fixture(f), "utf8")).goroutines,
  takenAt: new Date(Number(/t(\d+)s/.exec(f)![1]) * 1000),
}));

// Sorted by key: a group that went away keeps the score it had when last seen, which can change its rank
// among the other info findings (its severity is info either way).
const digest = (r: ReturnType<typeof analyzeSnapshots>) =>
  r.findings
    .map((f) => [f.key, f.severity, f.count, f.growth?.verdict, f.growth?.counts.join(",")].join(" | "))
    .sort();

describe("SnapshotWindow on leakybank", () => {
  it("gives the findings of analyzeSnapshots over the same snapshots, at every step", () => {
    const w = new SnapshotWindow(snaps.length);
    snaps.forEach((s, i) => {
      const scan = w.begin(s.takenAt!);
      for (const g of s.goroutines) scan.add(g);
      const got = scan.finish();
      const want = analyzeSnapshots(snaps.slice(0, i + 1));
      expect(digest(got)).toEqual(digest(want));
      expect(got.summary).toEqual(want.summary);
    });
    expect(w.length).toBe(snaps.length);
  });

  it("keeps only the last N snapshots and reports growth over them", () => {
    const w = new SnapshotWindow(3);
    let last = w.begin(new Date(0)).finish();
    for (const s of snaps) {
      const scan = w.begin(s.takenAt!);
      for (const g of s.goroutines) scan.add(g);
      last = scan.finish();
    }
    expect(w.length).toBe(3);
    expect(last.input.snapshots).toBe(3);
    expect(digest(last)).toEqual(digest(analyzeSnapshots(snaps.slice(-3))));
    expect(last.summary.high).toBeGreaterThan(0);
  });

  it("holds no goroutine once a snapshot is scored (memory follows groups, not dumps)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const w = new SnapshotWindow(3);
    // In a plain function, so that no stack slot of this test keeps the parsed goroutines alive.
    const feed = (f: string): WeakRef<object>[] => {
      const goroutines = parseDump(readFileSync(fixture(f), "utf8")).goroutines;
      const scan = w.begin(new Date());
      for (const g of goroutines) scan.add(g);
      expect(scan.finish().summary.high).toBeGreaterThan(0);
      // The first goroutine of a group is the one a grouper keeps as the group's example.
      return [new WeakRef(goroutines[0]!), new WeakRef(goroutines[goroutines.length - 1]!)];
    };
    const refs = files.slice(0, 3).flatMap(feed);
    await new Promise((ok) => setTimeout(ok, 0));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(w.length).toBe(3);
  });

  it("rejects a window of no snapshots", () => {
    expect(() => new SnapshotWindow(0)).toThrow(/@gosleuth\/leaks: .*at least 1/);
  });
});
