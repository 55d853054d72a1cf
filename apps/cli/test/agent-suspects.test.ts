// `gosleuth_leak_suspects` counts incidents (one cause counted once), not findings: on stuckcall's dump the
// stuck call's two findings are one incident, and the info findings make no incident at all, so a gauge that
// counted findings would read more than the incidents at two severities.
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
  // Served as the text a pprof endpoint sends (the fixture is stored gzipped).
  const text = gunzipSync(readFileSync(STUCKCALL)).toString("utf8");
  replay = await startReplay([{ kind: "text", body: text }]);
  const targets = join(dir, "targets.json");
  writeFileSync(
    targets,
    JSON.stringify([{ targets: [`127.0.0.1:${replay.ports[0]}`], labels: { service: "stuckcall" } }]),
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
      return body.targets[0]?.report ?? undefined;
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
});
