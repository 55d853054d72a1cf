// The agent on stuckcall's dump. `gosleuth_leak_suspects` counts incidents (one cause counted once), not
// findings: the stuck call's two findings are one incident, and the info findings make no incident at all, so a
// gauge that counted findings would read more than the incidents at two severities. And the dump stored gzipped
// (`.txt.gz`) and served as it is: read whole when whole, and down as truncated when cut.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fixture } from "@gosleuth/fixtures";
import type { Severity } from "@gosleuth/leaks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, type RunningAgent, sample, startAgent, until } from "./agent-helpers.ts";
// @ts-expect-error: a plain ES module shared with the load benchmark (no type declarations)
import { startReplay } from "./replay-server.mjs";

const STUCKCALL = fixture("labeled/stuckcall/stuckcall-t0150s-debug2.txt.gz");
const SEVERITIES: Severity[] = ["high", "medium", "low", "info"];
const SERVICES = ["stuckcall", "gzipped", "gzip-cut"] as const;

interface Counted {
  severity: Severity;
  count: number;
}

let replay: { ports: number[]; close(): Promise<void> };
let agent: RunningAgent;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gosleuth-agent-suspects-"));
  // Every scrape gets the same dump and the window holds one snapshot, so every analysis is the same one and
  // /metrics and /api/v1/findings agree whichever scrape each was read after.
  // Served as the text a pprof endpoint sends (the fixture is stored gzipped); then the stored file as it is,
  // whole and cut after 90,000 of its bytes (the connection closed normally: only gunzip can tell).
  const gz = readFileSync(STUCKCALL);
  replay = await startReplay([
    { kind: "text", body: gunzipSync(gz).toString("utf8") },
    { kind: "sequence", files: [STUCKCALL] },
    { kind: "text", body: gz.subarray(0, 90_000) },
  ]);
  const targets = join(dir, "targets.json");
  writeFileSync(
    targets,
    JSON.stringify(
      SERVICES.map((service, i) => ({ targets: [`127.0.0.1:${replay.ports[i]}`], labels: { service } })),
    ),
  );
  agent = await startAgent(["--targets", targets, "--every", "1s", "--window", "1"]);
});

afterAll(async () => {
  await agent?.stop();
  await replay?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("gosleuth_leak_suspects", () => {
  it("counts a target's incidents at each severity, not its findings", async () => {
    const report = await until("stuckcall's first analysis", 60_000, async () => {
      const body = JSON.parse((await get(agent.url, "/api/v1/findings")).body);
      return (
        body.targets.find(
          (t: { target: { labels: { service: string } } }) => t.target.labels.service === "stuckcall",
        )?.report ?? undefined
      );
    });
    const metrics = (await get(agent.url, "/metrics")).body;
    const tally = (items: Counted[]) => (sev: Severity) =>
      items.filter((x) => x.severity === sev && x.count > 0).length;
    const findings = tally(report.findings);
    const incidents = tally(report.incidents);
    // The dump must tell the two counts apart, or this test could not fail: the stuck call's two findings
    // share one incident, and the benign (info) findings make none.
    expect(SEVERITIES.filter((sev) => findings(sev) > incidents(sev) && incidents(sev) > 0)).not.toEqual([]);
    expect(findings("info")).toBeGreaterThan(0);
    expect(incidents("info")).toBe(0);
    for (const severity of SEVERITIES)
      expect(sample(metrics, "gosleuth_leak_suspects", { service: "stuckcall", severity }), severity).toBe(
        incidents(severity),
      );
  });

  it("reads a body stored gzipped whole, and calls a cut one truncated", async () => {
    // `gosleuth_target_up` appears once a target's first scrape has ended, either way. (The scrape counters are
    // there from the start, at 0, so they cannot say that; targets are scraped at staggered times.)
    const metrics = await until("both gzip targets scraped", 60_000, async () => {
      const m = (await get(agent.url, "/metrics")).body;
      const seen = ["gzipped", "gzip-cut"].every(
        (service) => sample(m, "gosleuth_target_up", { service }) !== undefined,
      );
      return seen ? m : undefined;
    });
    expect(sample(metrics, "gosleuth_target_up", { service: "gzipped", reason: "" })).toBe(1);
    // `goroutine N [` headers in the dump: 3,759.
    expect(sample(metrics, "gosleuth_goroutines", { service: "gzipped" })).toBe(3759);
    expect(sample(metrics, "gosleuth_target_up", { service: "gzip-cut", reason: "truncated" })).toBe(0);
    expect(sample(metrics, "gosleuth_goroutines", { service: "gzip-cut" })).toBeUndefined();
    expect(agent.log()).toMatch(/down: truncated: .*reading the input failed: unexpected end of file/);
  });
});
