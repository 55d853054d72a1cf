// The labelled proof: leakybank's planted leaks (truth.json) against its healthy goroutines, snapshot by snapshot and over time.
import { readFileSync } from "node:fs";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { analyzeLeaks } from "./analyze.ts";
import type { Finding } from "./finding.ts";
import { analyzeSnapshots, diff } from "./snapshots.ts";

interface Truth {
  planted_leaks: { name: string; functions: string[] }[];
  healthy: { name: string; functions: string[] }[];
}
const truth = JSON.parse(readFileSync(fixture("labeled/leakybank/truth.json"), "utf8")) as Truth;
const files = listFixtures("labeled/leakybank").filter((f) => f.endsWith("-debug2.txt"));
const dumps = files.map((f) => ({ name: f, dump: parseDump(readFileSync(fixture(f), "utf8")) }));

const matchesEntry = (f: Finding, fns: string[]) =>
  fns.includes(f.startFunction) || (f.blockingFrame !== null && fns.includes(f.blockingFrame.function));

describe.each(dumps)("leakybank $name on its own", ({ dump }) => {
  const report = analyzeLeaks(dump);
  it("every planted leak is high and ranks above every healthy group; no healthy group is high", () => {
    const rank = (f: Finding) => report.findings.indexOf(f);
    let lowestLeak = -1;
    for (const leak of truth.planted_leaks) {
      const found = report.findings.filter((f) => matchesEntry(f, leak.functions));
      expect(found.length, leak.name).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.severity, `${leak.name}: ${f.reasons.join("; ")}`).toBe("high");
        lowestLeak = Math.max(lowestLeak, rank(f));
      }
    }
    for (const ok of truth.healthy) {
      const found = report.findings.filter((f) => matchesEntry(f, ok.functions));
      expect(found.length, ok.name).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.severity, `${ok.name}: ${f.reasons.join("; ")}`).not.toBe("high");
        expect(rank(f), ok.name).toBeGreaterThan(lowestLeak);
      }
    }
  });
});

describe("leakybank over six snapshots a minute apart", () => {
  const snaps = dumps.map(({ name, dump }) => ({
    goroutines: dump.goroutines,
    takenAt: new Date(Number(/t(\d+)s/.exec(name)![1]) * 1000),
    label: name,
  }));
  it("every planted leak is reported as growing, no healthy group is", () => {
    const report = analyzeSnapshots(snaps);
    for (const leak of truth.planted_leaks) {
      const found = report.findings.filter((f) => matchesEntry(f, leak.functions));
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.growth?.verdict, `${leak.name} ${f.growth?.counts}`).toBe("growing");
        expect(f.severity).toBe("high");
      }
    }
    for (const ok of truth.healthy) {
      for (const f of report.findings.filter((x) => matchesEntry(x, ok.functions))) {
        expect(f.growth?.verdict, `${ok.name} ${f.growth?.counts}`).not.toBe("growing");
      }
    }
  });
  it("diff of the first and last snapshot lists exactly the planted groups as grown", () => {
    const d = diff(snaps[0]!, snaps[snaps.length - 1]!);
    const grown = d.grown.map((e) => e.startFunction).sort();
    const planted = truth.planted_leaks.flatMap((l) => l.functions).sort();
    expect([...new Set(grown)].sort()).toEqual(planted);
    for (const e of d.grown) expect(e.after).toBeGreaterThan(e.before);
  });
});
