// debug=1 profiles (counts and stacks only) against leakybank's answer key, as leakybank.test.ts does for
// the debug=2 twins of the same snapshots; and what one profile snapshot can and cannot say.
import { readFileSync } from "node:fs";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import type { Finding } from "./finding.ts";
import { analyzeProfiles, profileWait } from "./profile.ts";
import { renderMarkdown, toJson } from "./report.ts";

interface Truth {
  planted_leaks: { name: string; functions: string[] }[];
  healthy: { name: string; functions: string[] }[];
}
const truth = JSON.parse(readFileSync(fixture("labeled/leakybank/truth.json"), "utf8")) as Truth;
const files = listFixtures("labeled/leakybank").filter((f) => f.endsWith("-debug1.txt"));
const snaps = files.map((f) => {
  const dump = parseDump(readFileSync(fixture(f), "utf8"));
  return { groups: dump.groups, takenAt: new Date(Number(/t(\d+)s/.exec(f)![1]) * 1000), label: f };
});

const matchesEntry = (f: Finding, fns: string[]) =>
  fns.includes(f.startFunction) || (f.blockingFrame !== null && fns.includes(f.blockingFrame.function));

describe("leakybank debug=1 over six snapshots a minute apart", () => {
  const report = analyzeProfiles(snaps);
  it("reads six debug=1 profiles", () => {
    expect(files).toHaveLength(6);
    expect(snaps.every((s) => s.groups.length > 0)).toBe(true);
    expect(report.input).toMatchObject({ format: "debug1", snapshots: 6 });
    expect(report.input.limits).toMatch(/no wait times/);
  });
  it("every planted leak is high, growing, and ranks above every healthy group; no healthy group is high", () => {
    const rank = (f: Finding) => report.findings.indexOf(f);
    let lowestLeak = -1;
    for (const leak of truth.planted_leaks) {
      const found = report.findings.filter((f) => matchesEntry(f, leak.functions));
      expect(found.length, leak.name).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.severity, `${leak.name}: ${f.reasons.join("; ")}`).toBe("high");
        expect(f.growth?.verdict).toBe("growing");
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
    expect(report.findings.filter((f) => f.severity === "high")).toHaveLength(truth.planted_leaks.length);
  });
  it("validates against the report schema v2, limits included", async () => {
    const { default: Ajv } = await import("ajv");
    const schema = JSON.parse(
      readFileSync(new URL("../schema/leak-report.v2.json", import.meta.url), "utf8"),
    );
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(toJson(report)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...toJson(report), input: { ...report.input, limits: 3 } })).toBe(false);
  });
  it("Markdown says what the profile cannot show and lists no empty sample ids", () => {
    const md = renderMarkdown(report);
    expect(md).toContain("Note: a debug=1 profile has no wait times");
    expect(md).not.toContain("sample goroutines");
    expect(md).toMatch(/Scores add up the points/);
  });
  it("every finding says it was scored without wait times", () => {
    for (const f of report.findings) {
      expect(f.reasons.join("\n")).toContain("no wait times");
      expect(f.factors.wait).toBeUndefined();
    }
  });
});

describe("one debug=1 snapshot", () => {
  const last = snaps[snaps.length - 1]!;
  const report = analyzeProfiles([last]);
  it("ranks the planted leaks first but caps them below high without growth", () => {
    expect(report.summary.high).toBe(0);
    const leaks = report.findings.filter((f) =>
      truth.planted_leaks.some((l) => matchesEntry(f, l.functions)),
    );
    expect(leaks).toHaveLength(truth.planted_leaks.length);
    for (const f of leaks) expect(f.severity, f.reasons.join("; ")).toBe("medium");
    const worstHealthy = Math.min(
      ...report.findings
        .filter((f) => truth.healthy.some((h) => matchesEntry(f, h.functions)))
        .map((f) => report.findings.indexOf(f)),
    );
    expect(Math.max(...leaks.map((f) => report.findings.indexOf(f)))).toBeLessThan(worstHealthy);
  });
  it("says why a score that reaches high stays medium", () => {
    // A lower high threshold, so that the biggest group's score reaches it.
    const lowered = analyzeProfiles([last], { severity: { high: 45, medium: 40, low: 20 } });
    const top = lowered.findings[0]!;
    expect(top.startFunction).toBe("main.(*Exporter).enqueue");
    expect(top.score).toBeGreaterThanOrEqual(45);
    expect(top.severity).toBe("medium");
    expect(top.reasons.join(" ")).toMatch(/one snapshot cannot show growth/);
    expect(lowered.summary.high).toBe(0);
  });
  it("reads the wait from the stack where debug=1 prints it", () => {
    const byStart = (fn: string) => last.groups.find((g) => g.frames.at(-1)?.fn?.full === fn)!;
    expect(profileWait(byStart("main.(*Batcher).waitFull"))).toMatchObject({
      stateClass: "cond",
      parked: false,
    });
    expect(profileWait(byStart("main.(*Exporter).enqueue"))).toMatchObject({ state: "parked", parked: true });
    const conn = last.groups.find(
      (g) =>
        g.frames.at(-1)?.fn?.full === "net/http.(*conn).serve" &&
        g.frames[0]?.fn?.full.startsWith("internal/poll"),
    )!;
    expect(profileWait(conn)).toMatchObject({ stateClass: "io-wait", state: "IO wait" });
  });
});
