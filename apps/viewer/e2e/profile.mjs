// Developer tool: where the page's main thread spends its long tasks while loading a big dump, and what the worker holds.
// Usage: node e2e/profile.mjs [dist] [dump] [out.cpuprofile]   (the page's CPU profile is written there when given)
//        (build an unminified copy first: npx vite build --minify false --outDir /tmp/dist-prof)
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { launchWithProfile, openDump, rendererRss } from "./chromium.mjs";
import { serve } from "./server.mjs";

const dist = resolve(process.argv[2] ?? "dist");
const dump = resolve(process.argv[3] ?? "/work/shared/corpus/generated/large/go1.26-spawnfarm-216k.txt.gz");
const out = process.argv[4];
const server = await serve({ dist, dump });
const browser = await launchWithProfile({
  prefix: "gosleuth-prof-",
  viewport: { width: 1500, height: 900 },
  args: ["--js-flags=--expose-gc"],
});
const { context, page, profile } = browser;
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
const navStart = Date.now();
const rssTimer = setInterval(() => rss.push([Date.now() - navStart, rendererRss(profile).now]), 250);
const origin = await page.evaluate(() => performance.timeOrigin);
const state = await openDump(page, server.url);
if (state !== "ready") {
  clearInterval(rssTimer);
  console.error(`@gosleuth/viewer profile: ${dist} did not load ${dump} (page state: ${state})`);
  await browser.close();
  await server.close();
  process.exit(2);
}
await page.waitForTimeout(2500);
const { profile: prof } = await cdp.send("Profiler.stop");
const origin2 = await page.evaluate(() => performance.timeOrigin);
const tasks = await page.evaluate(() => window.__tasks);
const marks = await page.evaluate(() =>
  performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]),
);
const pageHeap = await page.evaluate(() => performance.memory.usedJSHeapSize);
if (out) writeFileSync(out, JSON.stringify(prof));
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
await browser.close();
await server.close();
