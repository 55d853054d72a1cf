// Reports validate against their schemas (SARIF 2.1.0 official, ours v2); busy and idle servers raise no high finding.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fixture } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import Ajv from "ajv";
import AjvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { analyzeLeaks } from "./analyze.ts";
import { failOn, renderMarkdown, renderText, toJson, toSarif } from "./report.ts";
import { analyzeSnapshots } from "./snapshots.ts";

const require = createRequire(import.meta.url);
// The official SARIF 2.1.0 schema (rtm.5), as shipped by Microsoft's @microsoft/jest-sarif package.
const sarifSchema = JSON.parse(
  readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);
const reportSchema = JSON.parse(
  readFileSync(new URL("../schema/leak-report.v2.json", import.meta.url), "utf8"),
);
// The SARIF schema is JSON Schema draft-04 (and one of its patterns is not valid with the u flag); ours is draft-07.
const validateSarif = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(
  sarifSchema,
);
const validateReport = new Ajv({ allErrors: true, strict: false }).compile(reportSchema);

const bank = parseDump(readFileSync(fixture("labeled/leakybank/leakybank-t0320s-debug2.txt"), "utf8"));

describe("leak report formats", () => {
  const report = analyzeLeaks(bank);
  it("SARIF output validates against the SARIF 2.1.0 schema and points at the blocking frame", () => {
    const log = toSarif(report);
    const ok = validateSarif(log);
    expect(validateSarif.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const first = log.runs[0]!.results![0]!;
    expect(first.level).toBe("error");
    expect(first.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe("leakybank/main.go");
    expect(first.locations![0]!.physicalLocation!.region!.startLine).toBe(
      report.findings[0]!.blockingFrame!.line,
    );
  });
  it("JSON output validates against the published schema, also with growth", () => {
    expect(validateReport(toJson(report)), JSON.stringify(validateReport.errors)).toBe(true);
    const snaps = analyzeSnapshots([
      { goroutines: bank.goroutines.slice(0, 5000) },
      { goroutines: bank.goroutines },
    ]);
    expect(validateReport(snaps), JSON.stringify(validateReport.errors)).toBe(true);
    expect(validateSarif(toSarif(snaps)), JSON.stringify(validateSarif.errors)).toBe(true);
  });
  it("text and Markdown name the leaking sites; --fail-on levels", () => {
    expect(renderText(report)).toContain("main.(*Exporter).enqueue");
    expect(renderText(report, { color: true })).toContain("\x1b[");
    expect(renderMarkdown(report)).toContain("| high | ");
    expect(failOn(report, "high")).toBe(true);
    expect(failOn(analyzeLeaks({ goroutines: [] }), "low")).toBe(false);
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
