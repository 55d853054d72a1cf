// Developer tool: a Chromium trace of the bench's steps (load, search, expansion), and what each long
// main-thread task is made of: its trace events by name (script, GPU waits, paint, commit) and the
// JavaScript functions sampled in it.
// Usage: node e2e/trace.mjs [dist] [dump] [out.json] [--search TERM]   (TERM defaults to readLoop)
//        (an unminified build names the functions: npx vite build --minify false --outDir /tmp/dist-prof)
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { expandSelected, launchWithProfile, openDump, searchPath } from "./chromium.mjs";
import { serve } from "./server.mjs";

const args = process.argv.slice(2);
const searchAt = args.indexOf("--search");
const term = searchAt >= 0 ? args.splice(searchAt, 2)[1] : "readLoop";
const dist = resolve(args[0] ?? "dist");
const dump = resolve(args[1] ?? "/work/shared/corpus/generated/large/go1.26-spawnfarm-216k.txt.gz");
const out = args[2];
const server = await serve({ dist, dump });
const browser = await launchWithProfile({
  prefix: "gosleuth-trace-",
  viewport: { width: 1500, height: 900 },
});
const { context, page } = browser;
const cdp = await context.newCDPSession(page);
const events = [];
cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
const categories = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-devtools.timeline.frame",
  "v8.execute",
  "disabled-by-default-v8.cpu_profiler",
  "toplevel",
  "blink",
  "cc",
  "gpu",
  "viz",
  "blink.user_timing",
  "gpu.angle",
  "disabled-by-default-gpu.decoder",
  "disabled-by-default-gpu.service",
];
await page.goto(`${server.url}/`);
await page.waitForTimeout(500);
await cdp.send("Tracing.start", {
  traceConfig: { includedCategories: categories },
  transferMode: "ReportEvents",
});
const mark = (name) => page.evaluate((n) => performance.mark(n), name);
const state = await openDump(page, server.url);
if (state !== "ready") {
  console.error(`@gosleuth/viewer trace: ${dist} did not load ${dump} (page state: ${state})`);
  await browser.close();
  await server.close();
  process.exit(2);
}
// The pauses keep each step's trailing frames (and their GPU work) in the step's part of the trace.
await page.waitForTimeout(1500);
await mark("bench:search");
await searchPath(page, term);
await page.waitForTimeout(500);
await mark("bench:expand");
await expandSelected(page);
await page.waitForTimeout(1000);
await mark("bench:end");
const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
await cdp.send("Tracing.end");
await done;
await browser.close();
await server.close();
if (out) writeFileSync(out, JSON.stringify({ traceEvents: events }));

// The renderer's main thread: the thread named CrRendererMain of the process that ran the page's marks.
const threadName = new Map();
for (const e of events)
  if (e.ph === "M" && e.name === "thread_name") threadName.set(`${e.pid}:${e.tid}`, e.args.name);
const mainKey = [...threadName].find(
  ([k, n]) =>
    n === "CrRendererMain" &&
    events.some((e) => `${e.pid}:${e.tid}` === k && e.name === "RunTask" && e.dur > 40_000),
)?.[0];
const onMain = events.filter((e) => `${e.pid}:${e.tid}` === mainKey);
const marks = onMain
  .filter((e) => /^(gosleuth|bench):/.test(e.name) && e.ph !== "M")
  .map((e) => [e.name, e.ts])
  .sort((a, b) => a[1] - b[1]);
const phaseOf = (ts) => {
  let p = "start";
  for (const [n, t] of marks) if (t <= ts) p = n;
  return p;
};
const tasks = onMain.filter((e) => e.name === "RunTask" && e.ph === "X" && e.dur > 40_000);
// CPU profile samples (the page's JavaScript), by time.
const nodes = new Map();
const samples = [];
const mainProfile = events.find((x) => x.name === "Profile" && `${x.pid}:${x.tid}` === mainKey);
for (const e of events) {
  if (e.name !== "ProfileChunk" || e.id !== mainProfile?.id || e.pid !== mainProfile?.pid) continue;
  const c = e.args.data.cpuProfile ?? {};
  for (const n of c.nodes ?? []) nodes.set(n.id, n);
  let t = samples.at(-1)?.[0] ?? 0;
  if (samples.length === 0) {
    t = mainProfile.args.data.startTime ?? 0;
  }
  const deltas = e.args.data.timeDeltas ?? [];
  (c.samples ?? []).forEach((s, i) => {
    t += deltas[i];
    samples.push([t, s]);
  });
}
const frameName = (id) => {
  const f = nodes.get(id)?.callFrame;
  return f
    ? `${f.functionName || "(anon)"}@${(f.url ?? "").split("/").pop()}:${(f.lineNumber ?? 0) + 1}`
    : `#${id}`;
};
const stack = (id) => {
  const outS = [];
  for (let x = id; x !== undefined; x = nodes.get(x)?.parent) outS.push(frameName(x));
  return outS;
};
const top = (m, k) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([n, d]) => `${(d / 1000).toFixed(1)} ${n}`);
// The GPU process (its main thread's name says which).
const gpuPid = events.find(
  (e) => e.ph === "M" && e.name === "thread_name" && e.args.name === "CrGpuMain",
)?.pid;
for (const t of tasks) {
  const end = t.ts + t.dur;
  const inside = onMain.filter((e) => e.ph === "X" && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= end && e !== t);
  const byName = new Map();
  for (const e of inside) byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur);
  console.log(
    `\n=== task ${(t.dur / 1000).toFixed(0)} ms in ${phaseOf(t.ts)} (at ${((t.ts - (marks[0]?.[1] ?? 0)) / 1000).toFixed(0)} ms)`,
  );
  console.log("  events (ms, inclusive, summed):", top(byName, 18).join(" | "));
  // The GPU process's threads over the same window (the main thread mostly waits for them).
  const gpu = new Map();
  for (const e of events) {
    if (e.pid !== gpuPid || e.ph !== "X" || e.ts + e.dur < t.ts - 30_000 || e.ts > end) continue;
    const k = `${threadName.get(`${e.pid}:${e.tid}`)}/${e.name}`;
    gpu.set(k, (gpu.get(k) ?? 0) + e.dur);
  }
  console.log("  GPU process (ms, from 30 ms before):", top(gpu, 25).join(" | "));
  const self = new Map();
  const incl = new Map();
  let n = 0;
  for (const [ts, id] of samples) {
    if (ts < t.ts || ts > end) continue;
    n++;
    const st = stack(id);
    self.set(st[0], (self.get(st[0]) ?? 0) + 1);
    for (const f of new Set(st)) incl.set(f, (incl.get(f) ?? 0) + 1);
  }
  const pct = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([f, c]) => `${c} ${f}`);
  console.log(`  samples ${n}; self:`, pct(self, 10).join(" | "));
  console.log("  inclusive:", pct(incl, 22).join(" | "));
}
