#!/usr/bin/env node
// `pnpm bench:agent`: `gosleuth agent` against many targets served by one replay process on loopback, for a
// bounded time; prints whether it kept its schedule (slots missed, start lag) and its peak RSS, with targets.
// Flags: --targets=N (500), --every=5s (seconds), --seconds=S (60), --leaky-every=K (every K-th target replays
// leakybank's snapshots, 1.6 MB at the last; the others Caddy's idle dump), --concurrency=C (agent default).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CLI, ROOT } from "./paths.mjs";

const opt = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def;
const targets = Number(opt("targets", "500"));
const every = Number(opt("every", "5").replace(/s$/, ""));
const seconds = Number(opt("seconds", "60"));
const leakyEvery = Number(opt("leaky-every", "10"));
const concurrency = opt("concurrency", undefined);
const RSS_LIMIT_MB = 400;

const dir = mkdtempSync(join(tmpdir(), "gosleuth-agent-bench-"));
const children = [];
const stopAll = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
};
process.on("exit", stopAll);

function waitFor(child, re, what) {
  return new Promise((ok, fail) => {
    let seen = "";
    const t = setTimeout(() => fail(new Error(`${what} did not start:\n${seen}`)), 30_000);
    const on = (d) => {
      seen += d;
      const m = re.exec(seen);
      if (m) {
        clearTimeout(t);
        ok(m);
      }
    };
    child.stdout?.setEncoding("utf8").on("data", on);
    child.stderr?.setEncoding("utf8").on("data", on);
  });
}

function get(url) {
  return new Promise((ok, fail) => {
    request(url, { timeout: 30_000 }, (res) => {
      let b = "";
      res.setEncoding("utf8").on("data", (d) => (b += d));
      res.on("end", () => ok(b));
    })
      .on("error", fail)
      .end();
  });
}

/** VmRSS and VmHWM (peak) of a process, in MB (Linux). */
function rssOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? Number.NaN);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return { rss: Number.NaN, hwm: Number.NaN };
  }
}

/** User + system CPU seconds of a process so far (Linux). */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

const sum = (text, name) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(name))
    .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);

try {
  const file = join(dir, "targets.json");
  const replay = spawn(
    process.execPath,
    [
      resolve(ROOT, "apps/cli/test/replay-server.mjs"),
      "--count",
      String(targets),
      "--leaky-every",
      String(leakyEvery),
      "--targets-out",
      file,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(replay);
  await waitFor(replay, /ready/, "the replay server");
  const agent = spawn(
    process.execPath,
    [
      CLI,
      "agent",
      "--targets",
      file,
      "--every",
      `${every}s`,
      "--listen",
      "127.0.0.1:0",
      ...(concurrency ? ["--concurrency", concurrency] : []),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  children.push(agent);
  const [, url] = await waitFor(agent, /listening on (http:\/\/\S+)/, "the agent");
  let peakSampled = 0;
  const t0 = Date.now();
  const cpu0 = cpuOf(agent.pid);
  while (Date.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    peakSampled = Math.max(peakSampled, rssOf(agent.pid).rss);
  }
  const cpu = cpuOf(agent.pid) - cpu0;
  const wall = (Date.now() - t0) / 1000;
  const m = await get(`${url}/metrics`);
  const { hwm } = rssOf(agent.pid);
  const scrapes = sum(m, "gosleuth_target_scrapes_total{");
  const failures = sum(m, "gosleuth_target_scrape_failures_total{");
  const missed = sum(m, "gosleuth_agent_missed_slots ");
  const lagCount = sum(m, "gosleuth_agent_scrape_start_lag_seconds_count");
  const lagSum = sum(m, "gosleuth_agent_scrape_start_lag_seconds_sum");
  const under = (le) => sum(m, `gosleuth_agent_scrape_start_lag_seconds_bucket{le="${le}"}`);
  const up = m.split("\n").filter((l) => l.startsWith("gosleuth_target_up{") && l.endsWith(" 1")).length;
  const high = m
    .split("\n")
    .filter(
      (l) => l.startsWith("gosleuth_leak_suspects{") && l.includes('severity="high"') && !l.endsWith(" 0"),
    ).length;
  // Every target's first slot falls in the first interval (its offset), then one per interval.
  const expected = Math.floor((seconds / every) * targets);
  const peak = Math.max(hwm, peakSampled);
  const heapMB = sum(m, "nodejs_heap_size_used_bytes ") / 1e6;
  console.log(`\ngosleuth agent load · node ${process.version} · ${new Date().toISOString()}`);
  console.table([
    {
      targets,
      "every s": every,
      "run s": seconds,
      scrapes,
      "expected ~": expected,
      failures,
      "missed slots": missed,
      "lag mean ms": Math.round((lagSum / Math.max(1, lagCount)) * 1000),
      "lag <= 0.5 s": `${((100 * under("0.5")) / Math.max(1, lagCount)).toFixed(1)}%`,
      "lag <= 1 s": `${((100 * under("1")) / Math.max(1, lagCount)).toFixed(1)}%`,
      up,
      "targets with high": high,
      "agent CPU %": Math.round((100 * cpu) / wall),
      "CPU ms/scrape": ((1000 * cpu) / Math.max(1, scrapes)).toFixed(1),
      "heap used MB (end)": Math.round(heapMB),
      "peak RSS MB": Math.round(peak),
      target: `no missed slot, peak RSS < ${RSS_LIMIT_MB} MB`,
    },
  ]);
  const ok = missed === 0 && peak < RSS_LIMIT_MB && up === targets;
  console.log(ok ? "agent load: within the targets" : "agent load: OUTSIDE the targets");
  // The machine's load tells whether the agent had the CPU it needed (it needs "agent CPU %" of one core).
  console.log(
    `load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
  );
  stopAll();
  await Promise.all(children.map((c) => (c.exitCode === null ? once(c, "exit") : null)));
  process.exitCode = ok ? 0 : 1;
} finally {
  stopAll();
  rmSync(dir, { recursive: true, force: true });
}
