// Reports validate against their schemas (SARIF 2.1.0 official, ours v2); busy and idle servers raise no high finding.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fixture } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { analyzeLeaks } from "./analyze.ts";
import { countAtOrAbove, failOn, renderMarkdown, renderText, toJson } from "./report.ts";
import { toSarif } from "./sarif.ts";
import { sarifSchemaErrors } from "./sarif-check.ts";
import { analyzeSnapshots } from "./snapshots.ts";

const reportSchema = JSON.parse(
  readFileSync(new URL("../schema/leak-report.v2.json", import.meta.url), "utf8"),
);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateReport = ajv.compile(reportSchema);

const bank = parseDump(readFileSync(fixture("labeled/leakybank/leakybank-t0320s-debug2.txt"), "utf8"));

describe("leak report formats", () => {
  const report = analyzeLeaks(bank);
  it("JSON output validates against the published schema, also with growth", () => {
    expect(validateReport(toJson(report)), JSON.stringify(validateReport.errors)).toBe(true);
    const snaps = analyzeSnapshots([
      { goroutines: bank.goroutines.slice(0, 5000) },
      { goroutines: bank.goroutines },
    ]);
    expect(validateReport(snaps), JSON.stringify(validateReport.errors)).toBe(true);
    expect(sarifSchemaErrors(toSarif(snaps))).toEqual([]);
  });
  it("JSON and SARIF validate with the incident kinds and fields added in version 2 (cycle, WaitGroup, benign members)", () => {
    for (const f of [
      "labeled/relay/relay-t0150s-debug2.txt.gz",
      "labeled/relay/relay-sigquit-gotraceback-system.txt.gz",
      "labeled/stuckcall/stuckcall-t0150s-debug2.txt.gz",
    ]) {
      const r = analyzeLeaks(parseDump(gunzipSync(readFileSync(fixture(f)))));
      expect(validateReport(toJson(r)), `${f}: ${JSON.stringify(validateReport.errors)}`).toBe(true);
      expect(sarifSchemaErrors(toSarif(r)), f).toEqual([]);
    }
  });
  it("text and Markdown name the leaking sites; --fail-on levels", () => {
    expect(renderText(report)).toContain("main.(*Exporter).enqueue");
    expect(renderText(report, { color: true })).toContain("\x1b[");
    expect(renderMarkdown(report)).toContain("| high | ");
    expect(failOn(report, "high")).toBe(true);
    expect(failOn(analyzeLeaks({ goroutines: [] }), "low")).toBe(false);
    expect(countAtOrAbove(report, "high")).toBe(report.summary.high);
    expect(countAtOrAbove(report, "low")).toBe(
      report.summary.high + report.summary.medium + report.summary.low,
    );
  });
});

describe("idle and busy servers are not leaks (Caddy 2.11, real)", () => {
  for (const f of [
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "generated/servers/caddy-2.11-idle-debug2.txt",
  ]) {
    it(`${f}: no high finding; keep-alive connections are info`, () => {
      const r = analyzeLeaks(parseDump(readFileSync(fixture(f), "utf8")));
      expect(r.findings.filter((x) => x.severity === "high")).toEqual([]);
      if (f.includes("-t0-")) {
        // 1,500 idle keep-alive connections in this snapshot.
        const idle = r.findings.find(
          (x) => x.startFunction === "net/http.(*conn).serve" && x.stateClass === "io-wait",
        );
        expect(idle).toMatchObject({ severity: "info", count: 1500 });
        expect(idle?.reasons[0]).toMatch(/known-benign/);
      }
    });
  }
});
