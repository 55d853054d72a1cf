// SARIF that code scanning accepts and places: schema, GitHub's required properties, locations in the repository.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixture, REPO_ROOT } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { analyzeLeaks } from "./analyze.ts";
import { repositoryPath, toSarif } from "./sarif.ts";
import { githubSarifProblems, sarifSchemaErrors } from "./sarif-check.ts";

const bank = analyzeLeaks(
  parseDump(readFileSync(fixture("labeled/leakybank/leakybank-t0320s-debug2.txt"), "utf8")),
);
const caddy = analyzeLeaks(
  parseDump(readFileSync(fixture("generated/servers/caddy-2.11-t0-debug2.txt"), "utf8")),
);
const MODULE = { module: "leakybank", moduleDir: "packages/fixtures/programs/leakybank" };

describe("toSarif", () => {
  it("is valid SARIF 2.1.0 with every property GitHub requires and recommends, for every rule", () => {
    for (const [report, includeInfo] of [
      [bank, false],
      [bank, true],
      [caddy, true],
    ] as const) {
      const log = toSarif(report, { includeInfo, ...MODULE, repositoryUrl: "https://example.org/gosleuth" });
      expect(sarifSchemaErrors(log)).toEqual([]);
      expect(githubSarifProblems(log)).toEqual([]);
      // One result per incident of several groups, and one per group in none (info ones when asked for).
      const gathered = report.incidents.filter((x) => x.findings.length > 1);
      const inOne = new Set(gathered.flatMap((x) => x.findings));
      expect(log.runs[0]!.results!.length).toBe(
        gathered.length +
          report.findings.filter((f, i) => !inOne.has(i) && (includeInfo || f.severity !== "info")).length,
      );
    }
  });

  it("the checker catches what GitHub would reject", () => {
    const log = toSarif(bank, MODULE);
    const broken = structuredClone(log);
    delete broken.runs[0]!.results![0]!.locations;
    delete broken.runs[0]!.tool.driver.rules![0]!.fullDescription;
    expect(githubSarifProblems(broken)).toEqual([
      "runs[0].tool.driver.rules[0].fullDescription.text is missing",
      "runs[0].results[0].locations is empty",
    ]);
    expect(sarifSchemaErrors({ version: "2.1.0", runs: [{ tool: {} }] })).not.toEqual([]);
  });

  it("with the module, every result sits in a file of the repository at the module's own frame", () => {
    const log = toSarif(bank, { includeInfo: true, ...MODULE });
    for (const r of log.runs[0]!.results!) {
      const uri = r.locations![0]!.physicalLocation!.artifactLocation!.uri!;
      if (!r.message.text!.includes("No frame of this group is in the repository")) {
        expect(existsSync(join(REPO_ROOT, decodeURIComponent(uri))), uri).toBe(true);
        expect(uri.startsWith("packages/fixtures/programs/leakybank/")).toBe(true);
      }
    }
    const first = log.runs[0]!.results![0]!;
    const f = bank.findings[0]!;
    expect(first.locations![0]!.physicalLocation!.region!.startLine).toBe(f.blockingFrame!.line);
    // The ledger's writer and the leaks all run module code; the HTTP server's own goroutines do not.
    const placed = log.runs[0]!.results!.filter((r) => !/No frame/.test(r.message.text!)).length;
    expect(placed).toBeGreaterThanOrEqual(6);
  });

  it("frames outside the repository are related text, never artifact locations", () => {
    const log = toSarif(caddy, { includeInfo: true, module: "github.com/caddyserver/caddy/v2" });
    const results = log.runs[0]!.results!;
    const stdlibOnly = results.find((r) => /No frame of this group/.test(r.message.text!));
    expect(stdlibOnly).toBeDefined();
    for (const r of results)
      for (const rel of r.relatedLocations ?? [])
        if (/outside the repository/.test(rel.message!.text!)) expect(rel.physicalLocation).toBeUndefined();
  });

  it("says in the run's properties where several snapshots' times came from", () => {
    const withTimes = {
      ...bank,
      input: {
        ...bank.input,
        snapshots: 2,
        times: { source: "assumed" as const, assumed: true, minutesApart: 1 },
      },
    };
    expect(toSarif(withTimes).runs[0]!.properties!.snapshotTimes).toEqual({
      source: "assumed",
      assumed: true,
      minutesApart: 1,
    });
    expect(toSarif(bank).runs[0]!.properties!.snapshotTimes).toBeUndefined();
  });

  it("fingerprints do not change between runs or with the path map", () => {
    const a = toSarif(bank).runs[0]!.results!.map((r) => r.partialFingerprints);
    const b = toSarif(bank, MODULE).runs[0]!.results!.map((r) => r.partialFingerprints);
    expect(a).toEqual(b);
    expect(new Set(a.map((x) => JSON.stringify(x))).size).toBe(a.length);
  });

  it("maps paths: longest prefix first, absolute prefixes to nothing, module paths by themselves", () => {
    const o = {
      pathMap: [
        { from: "leakybank/", to: "services/bank/" },
        { from: "leakybank/internal/", to: "lib/" },
        { from: "/home/ci/src/shop/", to: "" },
      ],
      module: "github.com/acme/shop",
      moduleDir: "go",
    };
    expect(repositoryPath("leakybank/main.go", o)).toBe("services/bank/main.go");
    expect(repositoryPath("leakybank/internal/x.go", o)).toBe("lib/x.go");
    expect(repositoryPath("/home/ci/src/shop/cmd/a.go", o)).toBe("cmd/a.go");
    expect(repositoryPath("github.com/acme/shop/pkg/b.go", o)).toBe("go/pkg/b.go");
    expect(repositoryPath("github.com/acme/shopping/b.go", o)).toBeNull();
    expect(repositoryPath("github.com/x/y@v1.2.3/a.go", o)).toBeNull();
    expect(repositoryPath("runtime/proc.go", o)).toBeNull();
    expect(repositoryPath("/usr/lib/go/src/runtime/proc.go", o)).toBeNull();
    // A map may not lead out of the checkout or to another scheme.
    expect(repositoryPath("leakybank/../../etc/passwd", o)).toBeNull();
    expect(repositoryPath("x.go", { pathMap: [{ from: "", to: "javascript:" }] })).toBeNull();
  });

  it("a hostile path is never a URI with a scheme, and text cannot form SARIF links", () => {
    // Hand-written dump (not captured): a JS URL as a file path and a Markdown link in a function name.
    const dump = [
      "goroutine 1 [running]:",
      "main.main()",
      "\t/src/main.go:5 +0x1d",
      "",
      ...Array.from({ length: 40 }, (_, i) =>
        [
          `goroutine ${i + 10} [chan receive (nil chan), 30 minutes]:`,
          "main.x[click](javascript:alert(1))()",
          "\tjavascript:window.__x=1//x.go:7 +0x1",
          "created by main.main in goroutine 1",
          "\t/src/main.go:9 +0x2",
          "",
        ].join("\n"),
      ),
    ].join("\n");
    const log = toSarif(analyzeLeaks(parseDump(dump)), { pathMap: [{ from: "/src/", to: "" }] });
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifProblems(log)).toEqual([]);
    const json = JSON.stringify(log);
    expect(json).not.toMatch(/"uri":"javascript:/);
    const r = log.runs[0]!.results![0]!;
    // Placed at the go statement (the only frame in the repository), the JS path kept as related text.
    expect(r.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe("main.go");
    expect(
      r.relatedLocations!.some((l) => !l.physicalLocation && /javascript:window/.test(l.message!.text!)),
    ).toBe(true);
    expect(r.message.text).not.toMatch(/[^\\]\[click\]/);
  });
});

describe("a result with no frame in the repository", () => {
  it("is placed at the blocking frame: a file: URI for an absolute path, with a message saying so", () => {
    // Hand-written dump (not captured): absolute build paths and no path map.
    const dump = [
      "goroutine 1 [running]:\nmain.main()\n\t/build/src/main.go:5 +0x1d\n",
      ...Array.from(
        { length: 40 },
        (_, i) =>
          `goroutine ${i + 10} [chan receive (nil chan), 30 minutes]:\nmain.wait(0x1)\n\t/build/src/wait.go:7 +0x1\ncreated by main.main in goroutine 1\n\t/build/src/main.go:9 +0x2\n`,
      ),
    ].join("\n");
    const report = analyzeLeaks(parseDump(dump));
    const r = toSarif(report).runs[0]!.results![0]!;
    expect(r.locations![0]!.physicalLocation!.artifactLocation).toEqual({ uri: "file:///build/src/wait.go" });
    expect(r.message.text).toContain("No frame of this group is in the repository");
    const mapped = toSarif(report, { pathMap: [{ from: "/build/src/", to: "" }] }).runs[0]!.results![0]!;
    expect(mapped.locations![0]!.physicalLocation!.artifactLocation).toEqual({
      uri: "wait.go",
      uriBaseId: "SRCROOT",
    });
    expect(mapped.message.text).not.toContain("No frame");
    expect(sarifSchemaErrors(toSarif(report))).toEqual([]);
  });
});

describe("RULES.md", () => {
  it("documents every rule with the words SARIF carries, under the heading helpUri points at", () => {
    const doc = readFileSync(new URL("../RULES.md", import.meta.url), "utf8");
    const log = toSarif(bank, { includeInfo: true, repositoryUrl: "https://example.org/x" });
    const caddyLog = toSarif(caddy, { includeInfo: true });
    for (const r of [...log.runs[0]!.tool.driver.rules!, ...caddyLog.runs[0]!.tool.driver.rules!]) {
      const id = r.id.replace("gosleuth/", "");
      expect(doc).toContain(`\n## ${id}\n`);
      expect(doc).toContain(r.fullDescription!.text);
      expect(r.help!.text.startsWith(r.fullDescription!.text)).toBe(true);
      expect(doc).toContain(r.help!.text.slice(r.fullDescription!.text.length + 1));
    }
    expect(log.runs[0]!.tool.driver.rules![0]!.helpUri).toBe(
      `https://example.org/x/blob/main/packages/leaks/RULES.md#${log.runs[0]!.tool.driver.rules![0]!.id.replace("gosleuth/", "")}`,
    );
  });
});
