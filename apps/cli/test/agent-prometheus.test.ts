// The agent with real parts: Debian's Prometheus scrapes `gosleuth agent` on loopback, which scrapes replay
// servers of leakybank's recorded snapshots and Caddy's dump; the query API and the alert rules must tell
// them apart. Also checks the shipped rules and dashboard queries against Prometheus, and that --shard
// keeps what Prometheus's own hashmod relabeling keeps. Skips cleanly where Prometheus is not installed.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashmod } from "../src/agent/targets.ts";
import { get, type RunningAgent, startAgent, until } from "./agent-helpers.ts";
// @ts-expect-error: a plain ES module shared with the load benchmark (no type declarations)
import { CADDY, LEAKYBANK, startReplay } from "./replay-server.mjs";

const PROMETHEUS = process.env.GOSLEUTH_PROMETHEUS ?? "/usr/bin/prometheus";
const PROMTOOL = process.env.GOSLEUTH_PROMTOOL ?? "/usr/bin/promtool";
const FILES = resolve(dirname(fileURLToPath(import.meta.url)), "..", "prometheus");

describe.skipIf(!existsSync(PROMTOOL))("the shipped Prometheus files (promtool)", () => {
  it("check: rules and scrape config are valid, and the rules' unit tests pass", () => {
    const out = (args: string[]) => execFileSync(PROMTOOL, args, { cwd: FILES, encoding: "utf8" });
    expect(out(["check", "rules", "rules.yml"])).toContain("SUCCESS: 3 rules found");
    expect(out(["check", "config", "scrape-config.yml"])).toContain("is valid prometheus config file syntax");
    expect(out(["test", "rules", "rules.test.yml"])).toContain("SUCCESS");
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(!existsSync(PROMETHEUS))("Prometheus scraping gosleuth agent", () => {
  let dir: string;
  let replay: { ports: number[]; close(): Promise<void> };
  let agent: RunningAgent;
  let prom: ChildProcess;
  let promUrl: string;
  let promLog = "";
  // Addresses that only Prometheus's service discovery sees (nothing listens there): for the shard check.
  const shardAddrs = Array.from({ length: 40 }, (_, i) => `127.0.0.1:${20_000 + i * 7}`);

  const query = async (q: string): Promise<PromResult[]> => {
    const r = await get(promUrl, `/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = JSON.parse(r.body);
    if (body.status !== "success") throw new Error(`${q}: ${r.body}`);
    return body.data.result;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gosleuth-prom-"));
    replay = await startReplay([
      { kind: "sequence", files: LEAKYBANK },
      { kind: "sequence", files: [CADDY] },
    ]);
    writeFileSync(
      join(dir, "targets.json"),
      JSON.stringify([
        { targets: [`127.0.0.1:${replay.ports[0]}`], labels: { service: "leakybank" } },
        { targets: [`127.0.0.1:${replay.ports[1]}`], labels: { service: "caddy" } },
      ]),
    );
    agent = await startAgent(["--targets", join(dir, "targets.json"), "--every", "1s", "--timeout", "5s"]);
    // The shipped rules with the alert's 10 minutes cut to 3 seconds (a test copy; the shipped file is unchanged).
    writeFileSync(
      join(dir, "rules.yml"),
      readFileSync(join(FILES, "rules.yml"), "utf8").replace(/for: \d+m/g, "for: 3s"),
    );
    writeFileSync(join(dir, "shard-targets.json"), JSON.stringify([{ targets: shardAddrs }]));
    const shipped = readFileSync(join(FILES, "scrape-config.yml"), "utf8")
      .replace("127.0.0.1:9464", new URL(agent.url).host)
      .replace("scrape_interval: 30s", "scrape_interval: 1s");
    const shardJob = `  - job_name: shard-check
    scrape_interval: 1h
    file_sd_configs: [{ files: [shard-targets.json] }]
    relabel_configs:
      - { source_labels: [__address__], modulus: 3, target_label: __tmp_hash, action: hashmod }
      - { source_labels: [__tmp_hash], regex: "1", action: keep }
`;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\n${shipped.replace("scrape_configs:\n", `scrape_configs:\n${shardJob}`)}`,
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prom.stderr!.setEncoding("utf8").on("data", (d: string) => {
      if (promLog.length < 100_000) promLog += d;
    });
    await until(`prometheus to be ready (log: ${promLog})`, 30_000, async () =>
      (await get(promUrl, "/-/ready")).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((ok) => prom.once("exit", ok));
      prom.kill("SIGTERM");
      await exited;
    }
    await agent?.stop();
    await replay?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("stores gosleuth_leak_suspects{severity=high}: at least 1 for leakybank, 0 for Caddy", async () => {
    const rows = await until("both targets' high suspects in Prometheus", 40_000, async () => {
      const r = await query('gosleuth_leak_suspects{severity="high"}');
      const bank = r.find((x) => x.metric.service === "leakybank");
      const caddy = r.find((x) => x.metric.service === "caddy");
      return bank && caddy && Number(bank.value[1]) >= 1 ? { bank, caddy } : undefined;
    });
    expect(Number(rows.bank.value[1])).toBeGreaterThanOrEqual(1);
    expect(Number(rows.caddy.value[1])).toBe(0);
    // honor_labels keeps the target's own instance label, not the agent's address.
    expect(rows.bank.metric.instance).toBe(`127.0.0.1:${replay.ports[0]}`);
    expect(rows.bank.metric.job).toBe("gosleuth-agent");
    const up = await query("gosleuth_target_up");
    expect(up.map((x) => [x.metric.service, x.value[1]]).sort()).toEqual([
      ["caddy", "1"],
      ["leakybank", "1"],
    ]);
  });

  it("fires the leak alert for leakybank only", async () => {
    const firing = await until("GoroutineLeakSuspect to fire", 40_000, async () => {
      const a = JSON.parse((await get(promUrl, "/api/v1/alerts")).body).data.alerts as {
        labels: Record<string, string>;
        state: string;
      }[];
      const leak = a.filter((x) => x.labels.alertname === "GoroutineLeakSuspect");
      return leak.some((x) => x.state === "firing") ? leak : undefined;
    });
    expect(firing.map((x) => x.labels.service)).toEqual(["leakybank"]);
    // Caddy has been scraped as long as leakybank: its suspects series is there, at 0, and raises nothing.
    const caddy = await query('gosleuth_leak_suspects{severity="high",service="caddy"}');
    expect(caddy).toHaveLength(1);
  });

  it("answers every query of the shipped Grafana dashboard", async () => {
    const dash = JSON.parse(readFileSync(join(FILES, "grafana-dashboard.json"), "utf8"));
    const exprs: string[] = dash.panels.flatMap((p: { targets: { expr: string }[] }) =>
      p.targets.map((t) => t.expr),
    );
    expect(exprs.length).toBeGreaterThan(5);
    for (const e of exprs) await query(e.replaceAll("$instance", ".*"));
    expect((await query('topk(20, gosleuth_group_goroutines{instance=~".*"})')).length).toBeGreaterThan(0);
  });

  it("--shard i/n keeps the targets Prometheus's hashmod relabeling keeps", async () => {
    const kept = await until("the shard-check job's targets", 20_000, async () => {
      const t = JSON.parse((await get(promUrl, "/api/v1/targets?state=active")).body).data.activeTargets as {
        labels: Record<string, string>;
        discoveredLabels: Record<string, string>;
      }[];
      const mine = t
        .filter((x) => x.discoveredLabels.job === "shard-check")
        .map((x) => x.discoveredLabels.__address__!);
      return mine.length > 0 ? mine.sort() : undefined;
    });
    const ours = shardAddrs.filter((a) => hashmod(a, 3) === 1).sort();
    expect(ours.length).toBeGreaterThan(5);
    expect(kept).toEqual(ours);
  });
});
