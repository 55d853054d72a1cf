// End-to-end: `gosleuth leaks` and `gosleuth diff` on the labelled leakybank snapshots and the Caddy servers.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const SNAPS = listFixtures("labeled/leakybank")
  .filter((f) => f.endsWith("-debug2.txt"))
  .map(fixture);
const LAST = SNAPS[SNAPS.length - 1]!;
const tmp = mkdtempSync(join(tmpdir(), "gosleuth-leaks-"));

describe("gosleuth leaks", () => {
  it("text names the planted leaks first", async () => {
    const r = await run(["leaks", LAST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gosleuth leaks: 9,217 goroutines · 4 incidents · 4 high/);
    expect(r.stdout.split("\n").filter((l) => /^\d+\. HIGH/.test(l))).toHaveLength(4);
  });

  it("a channel cycle and a stuck WaitGroup lead the text, one incident each; --fail-on counts two", async () => {
    const relay = fixture("labeled/relay/relay-t0150s-debug2.txt.gz");
    const r = await run(["leaks", relay, "--fail-on", "high"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("gosleuth: 2 incidents at or above high\n");
    const heads = r.stdout.split("\n").filter((l) => l.startsWith("INCIDENT "));
    expect(heads).toEqual([
      "INCIDENT I1 HIGH · channel cycle · 798 goroutines in 2 groups",
      "INCIDENT I2 HIGH · stuck WaitGroup · 131 goroutines in 1 group",
    ]);
    // The same dump cut short (as a truncated download would be): no claim about the WaitGroup.
    const whole = gunzipSync(readFileSync(relay)).toString("utf8");
    writeFileSync(join(tmp, "relay-cut.txt"), whole.slice(0, whole.lastIndexOf("\ngoroutine ") + 40));
    const cut = await run(["leaks", join(tmp, "relay-cut.txt")]);
    expect(cut.stdout).toContain("INCIDENT I1 HIGH · channel cycle");
    expect(cut.stdout).not.toContain("stuck WaitGroup");
  });

  it("--format json follows schema v2 and --fail-on sets the exit code", async () => {
    const r = await run(["leaks", LAST, "--format", "json", "--fail-on", "high"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.version).toBe(2);
    expect(j.incidents.filter((x: { severity: string }) => x.severity === "high")).toHaveLength(4);
    expect(j.findings[0]).toEqual(
      expect.objectContaining({
        severity: "high",
        score: expect.any(Number),
        count: expect.any(Number),
        state: expect.any(String),
        waitMinutes: expect.any(Object),
        blockingFrame: expect.any(Object),
        startFunction: expect.any(String),
        creator: expect.any(Object),
        reasons: expect.any(Array),
        sampleIds: expect.any(Array),
      }),
    );
    const caddy = await run([
      "leaks",
      fixture("generated/servers/caddy-2.11-t0-debug2.txt"),
      "--fail-on",
      "high",
    ]);
    expect(caddy.code).toBe(0);
  });

  it("leads with incidents: abba's five snapshots are one lock-order inversion, and --fail-on counts it once", async () => {
    const abba = listFixtures("labeled/abba")
      .filter((f) => f.includes("-debug2."))
      .map(fixture);
    const r = await run(["leaks", ...abba, "--fail-on", "high"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/ · 1 incident · /);
    // The incident comes before any numbered group.
    const head = lines.findIndex((l) => l.startsWith("INCIDENT "));
    expect(lines[head]).toBe("INCIDENT I1 HIGH · lock-order inversion · 3,669 goroutines in 5 groups");
    expect(lines.slice(0, head).some((l) => /^\d+\. /.test(l))).toBe(false);
    expect(r.stdout).toContain("lock-order inversion suspected: `(*inventory).reserve` waits at main.go:31");
    const j = JSON.parse((await run(["leaks", ...abba, "--format", "json"])).stdout);
    expect(j.incidents.map((x: { kind: string }) => x.kind)).toEqual(["lock-order inversion"]);
  });

  it("the runtime's deadlock verdict is one high incident", async () => {
    const r = await run([
      "leaks",
      fixture("generated/go-versions/go1.26-crash-deadlock.txt"),
      "--fail-on",
      "high",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("deadlock reported by the runtime: all goroutines are asleep");
  });

  it("--format sarif and md", async () => {
    const s = JSON.parse((await run(["leaks", LAST, "--format", "sarif"])).stdout);
    expect(s.version).toBe("2.1.0");
    expect(s.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("leakybank/main.go");
    expect((await run(["leaks", LAST, "--format", "md"])).stdout).toContain("## gosleuth leak report");
  });

  it("several snapshots carry per-snapshot counts; growth is reported", async () => {
    const r = await run(["leaks", ...SNAPS, "--format", "json"]);
    const j = JSON.parse(r.stdout);
    expect(j.input.snapshots).toBe(6);
    const grow = j.findings.filter((f: { growth?: { verdict: string } }) => f.growth?.verdict === "growing");
    expect(grow.map((f: { startFunction: string }) => f.startFunction).sort()).toEqual([
      "main.(*Batcher).waitFull",
      "main.(*Exporter).enqueue",
      "main.(*Session).awaitAck",
      "main.(*Watcher).watch",
    ]);
    expect(grow[0].growth.counts).toHaveLength(6);
  });

  it("reads settings from --config and explains bad ones", async () => {
    const good = join(tmp, "good.json");
    writeFileSync(good, JSON.stringify({ ignore: { creator: ["main.main.func*"] } }));
    const r = JSON.parse((await run(["leaks", LAST, "--format", "json", "--config", good])).stdout);
    expect(r.summary.high).toBe(0);
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify({ severity: { high: "lots" } }));
    const b = await run(["leaks", LAST, "--config", bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("`severity.high` must be a non-negative number");
  });
});

describe("gosleuth diff", () => {
  it("lists exactly the planted groups as grown between the first and last snapshot", async () => {
    const r = await run(["diff", SNAPS[0]!, LAST, "--format", "json"]);
    const d = JSON.parse(r.stdout);
    expect(d.grown.map((e: { startFunction: string }) => e.startFunction).sort()).toEqual([
      "main.(*Batcher).waitFull",
      "main.(*Exporter).enqueue",
      "main.(*Session).awaitAck",
      "main.(*Watcher).watch",
    ]);
    const t = await run(["diff", SNAPS[0]!, LAST]);
    expect(t.stdout).toContain("Grown (4)");
    expect(readFileSync(LAST).length).toBeGreaterThan(0);
  });
});
