// End-to-end: `gosleuth leaks` and `tree` on debug=1 and debug=0 profiles (counts and stacks, no states,
// waits or parents): leakybank's debug=1 series against its answer key, one profile, and the Caddy profiles.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fixture, hasSharedCorpus, listCorpus, listFixtures } from "@gosleuth/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

interface Truth {
  planted_leaks: { name: string; functions: string[] }[];
  healthy: { name: string; functions: string[] }[];
}
interface JsonFinding {
  severity: string;
  startFunction: string;
  blockingFrame: { function: string } | null;
  reasons: string[];
  factors: Record<string, number>;
  growth?: { verdict: string };
}
const truth = JSON.parse(readFileSync(fixture("labeled/leakybank/truth.json"), "utf8")) as Truth;
const BUNDLED = listFixtures("labeled/leakybank")
  .filter((f) => f.endsWith("-debug1.txt"))
  .map(fixture);
const SHARED = listCorpus("labeled/leakybank").filter((f) => f.endsWith("-debug1.txt"));

const matchesEntry = (f: JsonFinding, fns: string[]) =>
  fns.includes(f.startFunction) || (f.blockingFrame !== null && fns.includes(f.blockingFrame.function));

/** Every planted leak high and above every healthy group, no other high: what the debug=2 twins give. */
function expectAnswerKey(findings: JsonFinding[]): void {
  let lowestLeak = -1;
  for (const leak of truth.planted_leaks) {
    const found = findings.filter((f) => matchesEntry(f, leak.functions));
    expect(found.length, leak.name).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.severity, `${leak.name}: ${f.reasons.join("; ")}`).toBe("high");
      lowestLeak = Math.max(lowestLeak, findings.indexOf(f));
    }
  }
  for (const ok of truth.healthy) {
    const found = findings.filter((f) => matchesEntry(f, ok.functions));
    expect(found.length, ok.name).toBeGreaterThan(0);
    for (const f of found) expect(findings.indexOf(f), ok.name).toBeGreaterThan(lowestLeak);
  }
  expect(findings.filter((f) => f.severity === "high")).toHaveLength(truth.planted_leaks.length);
}

describe("gosleuth leaks on debug=1 snapshots", () => {
  it("ranks every planted leak of the bundled leakybank series high, above every healthy group", async () => {
    expect(BUNDLED).toHaveLength(6);
    const r = await run(["leaks", ...BUNDLED, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { input: Record<string, unknown>; findings: JsonFinding[] };
    expect(j.input).toMatchObject({ format: "debug1", snapshots: 6, goroutines: 9215 });
    expect(j.input.limits).toMatch(/no wait times/);
    expectAnswerKey(j.findings);
    for (const f of j.findings) {
      expect(f.reasons.join(" ")).toMatch(/no wait times in a debug=1 profile/);
      expect(f.factors.wait).toBeUndefined();
    }
  });

  it.skipIf(!hasSharedCorpus || SHARED.length === 0)(
    "does the same on the shared corpus's leakybank debug=1 series",
    async () => {
      expect(SHARED).toHaveLength(6);
      const r = await run(["leaks", ...SHARED, "--format", "json"]);
      expect(r.code, r.stderr).toBe(0);
      expectAnswerKey((JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings);
    },
  );

  it("one snapshot gives what it can: the planted leaks first, none high, and says why", async () => {
    const r = await run(["leaks", BUNDLED[BUNDLED.length - 1]!]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gosleuth leaks: 9,215 goroutines · 5 incidents · 0 high · 4 medium/);
    expect(r.stdout.split("\n")[1]).toMatch(/^Note: a debug=1 profile has no wait times/);
    expect(r.stdout).toMatch(/^1\. MEDIUM score [\d.]+ · 6,316 × main\.\(\*Exporter\)\.enqueue \[parked\]/m);
    expect(r.stdout).not.toContain("e.g. goroutines");
  });

  it("reads a debug=0 profile the same way, and refuses to mix formats", async () => {
    const r = await run([
      "leaks",
      fixture("generated/servers/caddy-2.11-t0-debug0.pb.gz"),
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { input: Record<string, unknown>; findings: JsonFinding[] };
    expect(j.input).toMatchObject({ format: "debug0", goroutines: 2711 });
    expect(j.input.limits).toMatch(/^a debug=0 profile/);
    // 300 requests stuck on a slow upstream: the biggest suspect, but one snapshot cannot make it high.
    expect(j.findings[0]).toMatchObject({ severity: "medium", startFunction: "net/http.(*conn).serve" });
    expect(j.findings[0]!.blockingFrame?.function).toBe("net/http.(*persistConn).roundTrip");
    const mixed = await run(["leaks", BUNDLED[0]!, fixture("labeled/leakybank/leakybank-t0120s-debug2.txt")]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/cannot be compared with .*debug2.*one format/);
  });
});

describe("gosleuth leaks --every on a debug=1 endpoint", () => {
  // A loopback server that answers each request with the next leakybank debug=1 snapshot.
  let server: Server;
  let url = "";
  beforeAll(async () => {
    let served = 0;
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end(readFileSync(BUNDLED[Math.min(served++, BUNDLED.length - 1)]!));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/goroutine?debug=1`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it("polls the profile and scores growth across the polls", async () => {
    const r = await run(["leaks", url, "--every", "100ms", "--count", "3", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { input: Record<string, unknown>; findings: JsonFinding[] };
    expect(j.input).toMatchObject({ format: "debug1", snapshots: 3 });
    const enqueue = j.findings.find((f) => f.startFunction === "main.(*Exporter).enqueue")!;
    expect(enqueue.growth?.verdict).toBe("growing");
    expect(r.stderr).toMatch(/snapshot 3\/3: 5,168 goroutines/);
  });
});

describe("gosleuth tree on a profile", () => {
  it("explains that a profile has no parent ids and suggests debug=2", async () => {
    for (const f of [BUNDLED[0]!, fixture("generated/servers/caddy-2.11-t0-debug0.pb.gz")]) {
      const r = await run(["tree", f]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /debug=[01] profile has no goroutines.*no goroutine ids and parent ids.*debug=2/,
      );
    }
  });
});
