// Developer tool: where the page's main thread spends its long tasks while loading a big dump, and what the worker holds.
// Usage: node e2e/profile.mjs [dist] [dump]   (build an unminified copy first: npx vite build --minify false --outDir /tmp/dist-prof)
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const dist = resolve(process.argv[2] ?? "dist");
const dump = resolve(process.argv[3] ?? "/work/shared/corpus/generated/large/go1.26-spawnfarm-216k.txt.gz");
const server = await serve({ dist, dump });
const profile = mkdtempSync(join(tmpdir(), "gosleuth-prof-"));
const context = await chromium.launchPersistentContext(profile, {
  viewport: { width: 1500, height: 900 },
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--js-flags=--expose-gc"],
});
const page = context.pages()[0] ?? (await context.newPage());
await page.addInitScript(() => {
  window.__tasks = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) window.__tasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
});
await page.goto(`${server.url}/`);
await page.waitForTimeout(500);
const cdp = await context.newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
await cdp.send("Profiler.start");
const workerMem = [];
page.on("worker", (w) => {
  const t = setInterval(async () => {
    try {
      workerMem.push(
        await w.evaluate(() => [Math.round(performance.now()), performance.memory?.usedJSHeapSize ?? 0]),
      );
    } catch {
      clearInterval(t);
    }
  }, 300);
});
const rss = [];
const rssOf = () => {
  let now = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (!cmd.includes(profile) || !cmd.includes("--type=renderer") || cmd.includes("--top-chrome-webui"))
        continue;
      now = Math.max(
        now,
        Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, "utf8"))?.[1] ?? 0) * 1024,
      );
    } catch {}
  }
  return now;
};
const navStart = Date.now();
const rssTimer = setInterval(() => rss.push([Date.now() - navStart, rssOf()]), 250);
const origin = await page.evaluate(() => performance.timeOrigin);
await page.goto(`${server.url}/?src=/dump`);
await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 600_000 });
await page.waitForTimeout(2500);
const { profile: prof } = await cdp.send("Profiler.stop");
const origin2 = await page.evaluate(() => performance.timeOrigin);
const tasks = await page.evaluate(() => window.__tasks);
const marks = await page.evaluate(() =>
  performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]),
);
const pageHeap = await page.evaluate(() => performance.memory.usedJSHeapSize);
writeFileSync("/tmp/prof/page.cpuprofile", JSON.stringify(prof));
// Samples: timeDeltas in µs from startTime (µs, monotonic). Map to page time via the first long task is hard;
// instead report the top stacks per 100 ms window where samples are non-idle.
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stackOf = (id) => {
  const out = [];
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const f = byId.get(x).callFrame;
    out.push(`${f.functionName || "(anon)"}@${f.url.split("/").pop()}:${f.lineNumber + 1}`);
  }
  return out;
};
let t = prof.startTime;
const samples = [];
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i];
  const n = byId.get(prof.samples[i]);
  const name = n.callFrame.functionName;
  if (name === "(idle)" || name === "(program)" || name === "(root)") continue;
  samples.push([t / 1000, prof.samples[i]]);
}
// Group contiguous busy samples (gaps < 5 ms) into segments.
const segs = [];
for (const [ms, id] of samples) {
  const s = segs.at(-1);
  if (s && ms - s.end < 5) {
    s.end = ms;
    s.ids.push(id);
  } else segs.push({ start: ms, end: ms, ids: [id] });
}
const base = segs[0]?.start ?? 0;
console.log("long tasks (page ms):", JSON.stringify(tasks.map(([a, b]) => [Math.round(a), Math.round(b)])));
console.log("marks:", JSON.stringify(marks), "timeOrigin changed", origin2 - origin);
for (const s of segs) {
  const dur = s.end - s.start;
  if (dur < 40) continue;
  const self = new Map();
  const incl = new Map();
  for (const id of s.ids) {
    const st = stackOf(id);
    self.set(st[0], (self.get(st[0]) ?? 0) + 1);
    for (const f of new Set(st)) incl.set(f, (incl.get(f) ?? 0) + 1);
  }
  const top = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([f, c]) => `${(c / 2).toFixed(0)}ms ${f}`);
  console.log(`\n=== segment +${(s.start - base).toFixed(0)} ms, ${dur.toFixed(0)} ms`);
  console.log(" self:", top(self, 8).join("\n       "));
  console.log(" incl:", top(incl, 25).join("\n       "));
}
console.log(
  "\npage heap",
  (pageHeap / 1048576).toFixed(0),
  "MB; worker heap over time (MB):",
  workerMem
    .filter((_, i) => i % 3 === 0)
    .map(([a, b]) => `${(a / 1000).toFixed(1)}s:${(b / 1048576).toFixed(0)}`)
    .join(" "),
);
clearInterval(rssTimer);
console.log(
  "renderer RSS (MB) over time since navigation:",
  rss
    .filter((_, i) => i % 2 === 0)
    .map(([a, b]) => `${(a / 1000).toFixed(1)}s:${(b / 1048576).toFixed(0)}`)
    .join(" "),
);
await context.close();
rmSync(profile, { recursive: true, force: true });
await server.close();
