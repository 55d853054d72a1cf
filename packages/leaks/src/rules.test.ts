// One small Go-like scenario per rule, written as outlines (synthetic dumps from @gosleuth/fixtures' builder).
import { dumpFromOutline } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { analyzeLeaks } from "./analyze.ts";
import type { Finding } from "./finding.ts";
import { resolveSettings, SettingsError, validateSettings } from "./settings.ts";
import { verdictOf } from "./snapshots.ts";

function fan(
  _parentFn: string,
  childFn: string,
  state: string,
  n: number,
  firstId: number,
  extra = "",
): string {
  return Array.from({ length: n }, (_, i) => `    ${firstId + i} ${childFn} ${state}${extra}`).join("\n");
}

/** main → 3 HTTP connections (net/http.(*conn).serve) → each spawns `perConn` children. */
function perRequest(childFn: string, state: string, perConn: number, extra = ""): string {
  const conns = [10, 11, 12]
    .map(
      (c, k) =>
        `  ${c} net/http.(*conn).serve io-wait\n${fan("", childFn, state, perConn, 1000 + k * 1000, extra)}`,
    )
    .join("\n");
  return `1 main.main io-wait\n${conns}\n`;
}

const find = (fs: Finding[], fn: string) => fs.find((f) => f.startFunction === fn)!;

describe("scoring rules (synthetic scenarios)", () => {
  it("per-request goroutines blocked on a channel send are high", () => {
    const r = analyzeLeaks(
      parseDump(dumpFromOutline(perRequest("main.(*Client).Send", "chan-send", 40, " 5m"))),
    );
    const f = find(r.findings, "main.(*Client).Send");
    expect(f).toMatchObject({ severity: "high", count: 120, category: "blocked-chan-send", parents: 3 });
    expect(f.reasons[0]).toMatch(
      /^120 goroutines blocked on chan send for up to 5 minutes, all created per request by net\/http\.\(\*conn\)\.serve/,
    );
  });
  it("a nil channel is worse than a plain receive", () => {
    const a = find(
      analyzeLeaks(parseDump(dumpFromOutline(perRequest("main.f", "chan-nil", 5)))).findings,
      "main.f",
    );
    const b = find(
      analyzeLeaks(parseDump(dumpFromOutline(perRequest("main.f", "chan-receive", 5)))).findings,
      "main.f",
    );
    expect(a.score).toBeGreaterThan(b.score);
    expect(a.category).toBe("nil-channel");
  });
  it("a worker pool started by main is healthy even when blocked", () => {
    const outline =
      `1 main.main io-wait\n${fan("", "main.worker", "chan-receive", 16, 100, " 30m")}\n`.replace(
        /^ {4}/gm,
        "  ",
      );
    const f = find(analyzeLeaks(parseDump(dumpFromOutline(outline))).findings, "main.worker");
    expect(f.severity).not.toBe("high");
    expect(f.reasons[0]).toMatch(/started once by main\.main/);
  });
  it("the runtime's (leaked) mark makes a finding proven and high, even for one goroutine", () => {
    const outline = "1 main.main io-wait\n  7 main.lost chan-receive leaked\n";
    const f = find(analyzeLeaks(parseDump(dumpFromOutline(outline))).findings, "main.lost");
    expect(f).toMatchObject({ proven: true, severity: "high" });
    expect(f.reasons[0]).toMatch(/proved all of them leaked/);
  });
  it("orphans of an exited creator say so", () => {
    const outline = `1 main.main io-wait\n  ~5 main.gone running\n${fan("", "main.stuck", "select", 4, 50)}\n`;
    const f = find(analyzeLeaks(parseDump(dumpFromOutline(outline))).findings, "main.stuck");
    expect(f.reasons.join(" ")).toMatch(/exited \(orphans\)/);
  });
  it("known-benign groups are info with their reason, and ignore rules apply", () => {
    const outline = "1 main.main select-no-cases\n  2 os/signal.loop syscall\n";
    const r = analyzeLeaks(parseDump(dumpFromOutline(outline)));
    expect(r.findings.every((f) => f.severity === "info" && f.benign)).toBe(true);
    const ignored = analyzeLeaks(
      parseDump(dumpFromOutline(perRequest("main.known", "chan-send", 40, " 5m"))),
      {
        ignore: { topFunction: [], creator: [], function: ["main.kno*"] },
      },
    );
    expect(find(ignored.findings, "main.known")).toMatchObject({ severity: "info", category: "ignored" });
  });
});

describe("settings", () => {
  it("explains what is wrong, precisely", () => {
    expect(validateSettings({ weights: { blocked: -3 }, severty: {}, ignore: { creator: "x" } })).toEqual([
      "`weights.blocked` must be a non-negative number, got -3",
      "unknown setting `severty` (known here: weights, severity, minCountForMedium, perRequestParents, startupMaxCount, perRequestSiteMinCount, ignore, samples, incidents)",
      '`ignore.creator` must be an array of strings (function names or * globs), got "x"',
    ]);
    expect(() => resolveSettings({ severity: { high: 10, medium: 50 } })).toThrow(SettingsError);
    expect(resolveSettings({ weights: { growing: 40 } }, { samples: 3 })).toMatchObject({
      samples: 3,
      weights: { growing: 40, blocked: 30 },
    });
  });
});

describe("score slopes are settings", () => {
  it("size and wait points follow sizePerPowerOfTen and waitPerDoubling", () => {
    const dump = parseDump(dumpFromOutline(perRequest("main.(*Client).Send", "chan-send", 40, " 7m")));
    const base = find(analyzeLeaks(dump).findings, "main.(*Client).Send");
    expect(base.factors.size).toBeCloseTo(5 * Math.log10(120));
    expect(base.factors.wait).toBeCloseTo(3 * Math.log2(8));
    const steeper = find(
      analyzeLeaks(dump, { weights: { sizePerPowerOfTen: 8, waitPerDoubling: 4 } }).findings,
      "main.(*Client).Send",
    );
    expect(steeper.factors.size).toBeCloseTo(8 * Math.log10(120));
    expect(steeper.factors.wait).toBeCloseTo(12);
  });
  it("without parent ids, perRequestSiteMinCount decides when one site's group is per request", () => {
    const outline = `1 main.main io-wait\n  2 main.(*Server).Serve io-wait\n${fan("", "main.handle", "chan-send", 30, 100)}\n`;
    const dump = parseDump(dumpFromOutline(outline, { goVersion: "1.19" }));
    const at = (n: number) =>
      find(analyzeLeaks(dump, { perRequestSiteMinCount: n }).findings, "main.handle").factors.perRequest;
    expect(at(50)).toBeUndefined();
    expect(at(30)).toBe(25);
  });
});

describe("growth verdicts", () => {
  it.each([
    [[10, 20, 30, 45], "growing"],
    [[16, 16, 16, 16], "flat"],
    [[3, 5, 2, 6, 3], "fluctuating"],
    [[40, 30, 20], "shrinking"],
    [[0, 0, 12], "new"],
  ])("%j is %s", (counts, verdict) => {
    expect(verdictOf(counts)).toBe(verdict);
  });
});

describe("published settings schema", () => {
  it("accepts the defaults and rejects what validateSettings rejects", async () => {
    const { readFileSync } = await import("node:fs");
    const { default: Ajv } = await import("ajv");
    const { default: addFormats } = await import("ajv-formats");
    const { DEFAULT_SETTINGS } = await import("./settings.ts");
    const schema = JSON.parse(readFileSync(new URL("../schema/settings.v1.json", import.meta.url), "utf8"));
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(DEFAULT_SETTINGS)).toBe(true);
    expect(validate({ leaks: { ignore: { creator: ["main.*"] } } })).toBe(true);
    for (const bad of [{ weights: { blocked: -3 } }, { severty: {} }, { ignore: { creator: "x" } }]) {
      expect(validate(bad)).toBe(false);
      expect(validateSettings(bad).length).toBeGreaterThan(0);
    }
  });
});
