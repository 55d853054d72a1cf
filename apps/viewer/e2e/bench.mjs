// Viewer benchmark in headless Chromium on a big dump: time to first frame, longest main-thread task,
// renderer memory, panning frame rate, and the time to open a node's path to the root.
// Every figure is also printed as a ratio to a reference workload timed in the same browser, so runs on
// machines of different speed or load compare; panning is also measured in CPU time per frame.
// Usage: node e2e/bench.mjs [dump]   (default: the shared corpus's go1.26-spawnfarm-216k.txt.gz; build the viewer first)
//        node e2e/bench.mjs --rows N  (a generated dump with N distinct stacks: N list rows and N tree nodes; scroll test)
//        --dist DIR                   (another build of the viewer, e.g. to compare two versions)
//        --search TERM                (the function searched and expanded; default readLoop, worker7 with --rows)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  collapseSelected,
  expandSelected,
  launchWithProfile,
  openDump,
  rendererRss,
  searchPath,
} from "./chromium.mjs";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const viewer = resolve(here, "..");
const rowsArg = process.argv.indexOf("--rows");
const rows = rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 0;
const distArg = process.argv.indexOf("--dist");
const dist = distArg >= 0 ? resolve(process.argv[distArg + 1]) : join(viewer, "dist");
const searchArg = process.argv.indexOf("--search");
const positional = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
const dump =
  rows > 0
    ? syntheticDump(rows)
    : (positional[0] ??
      resolve(
        viewer,
        "..",
        "..",
        "..",
        "shared",
        "corpus",
        "generated",
        "large",
        "go1.26-spawnfarm-216k.txt.gz",
      ));

/** A hand-made debug=2 dump (says so in its name) where every goroutine has its own stack line: N groups. */
function syntheticDump(n) {
  const parts = ["goroutine 1 [select]:\nmain.main()\n\t/src/synthetic/main.go:10 +0x1\n"];
  for (let i = 0; i < n; i++) {
    const id = i + 2;
    parts.push(
      `goroutine ${id} [chan receive, ${i % 90} minutes]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/usr/lib/go/src/runtime/proc.go:435 +0xce\n` +
        `main.worker${i % 50}(0x${id.toString(16)})\n\t/src/synthetic/worker.go:${1000 + i} +0x2a\n` +
        `created by main.main in goroutine 1\n\t/src/synthetic/main.go:${20 + (i % 7)} +0x40\n`,
    );
  }
  const file = join(mkdtempSync(join(tmpdir(), "gosleuth-synthetic-")), `synthetic-${n}-groups.txt`);
  writeFileSync(file, parts.join("\n"));
  return file;
}
if (!existsSync(dump)) {
  console.error(`@gosleuth/viewer bench: ${dump} is missing; pass a dump path`);
  process.exit(2);
}
if (!existsSync(join(dist, "index.html"))) {
  console.error(
    `@gosleuth/viewer bench: ${dist} has no build; run \`pnpm --filter @gosleuth/viewer build\` first`,
  );
  process.exit(2);
}

const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;

/**
 * CPU time (ms, user + system) used so far by this browser's processes, found by its profile dir: the
 * tab's renderer (page and workers), the GPU process (software GL and compositing) and all of them.
 */
function cpuTimes(profileDir) {
  const out = { renderer: 0, gpu: 0, all: 0 };
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (!cmd.includes(profileDir) && !cmd.includes("--type=gpu-process")) continue;
      // The GPU process's command line does not name the profile; it is this browser's when its parent is.
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (!cmd.includes(profileDir) && !browserPids.has(Number(f[1]))) continue;
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
      out.all += ms;
      if (cmd.includes("--type=renderer") && !cmd.includes("--top-chrome-webui")) out.renderer += ms;
      if (cmd.includes("--type=gpu-process")) out.gpu += ms;
    } catch {}
  }
  return out;
}
const CLK_TCK = 100;
/** Pids of this browser's main process (the GPU process is its child). */
const browserPids = new Set();
function findBrowser(profileDir) {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (cmd.includes(profileDir) && !cmd.includes("--type=")) browserPids.add(Number(d));
    } catch {}
  }
}
const cpuDelta = (a, b) => ({ renderer: b.renderer - a.renderer, gpu: b.gpu - a.gpu, all: b.all - a.all });

const server = await serve({ dist, dump });
const browser = await launchWithProfile({
  prefix: "gosleuth-bench-",
  viewport: { width: 1500, height: 900 },
});
const { page, profile } = browser;
findBrowser(profile);
await page.addInitScript(() => {
  const w = window;
  w.__bench = { longest: 0, longTasks: 0, progressEvents: 0, firstProgress: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      w.__bench.longTasks++;
      w.__bench.longest = Math.max(w.__bench.longest, e.duration);
      (w.__bench.tasks ??= []).push([Math.round(e.startTime), Math.round(e.duration)]);
    }
  }).observe({ type: "longtask", buffered: true });
  const watch = () =>
    new MutationObserver(() => {
      const t = document.getElementById("progress-text")?.textContent ?? "";
      if (!/goroutines/.test(t)) return;
      w.__bench.progressEvents++;
      if (!w.__bench.firstProgress) w.__bench.firstProgress = performance.now();
    }).observe(document.body, { subtree: true, characterData: true, childList: true });
  document.addEventListener("DOMContentLoaded", watch);
});

let memPeak = 0;
const memTimer = setInterval(() => {
  memPeak = Math.max(memPeak, rendererRss(profile).peak);
}, 250);

/**
 * A fixed piece of page JavaScript (sorting 1M pseudo-random numbers, five times; the best of three
 * runs), timed in this run's browser before and after the measurements: figures divided by it
 * compare across machines and loads, which absolute times on a shared 2-core machine do not.
 */
async function reference() {
  const c0 = cpuTimes(profile);
  const wall = await referenceWall();
  // Three runs: the renderer's CPU time per run (the page's JS is the renderer's).
  return { wall, cpu: cpuDelta(c0, cpuTimes(profile)).renderer / 3 };
}
function referenceWall() {
  return page.evaluate(() => {
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      const a = new Float64Array(1 << 20);
      for (let r = 0; r < 5; r++) {
        let s = 12345;
        for (let i = 0; i < a.length; i++) {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          a[i] = s;
        }
        a.sort();
      }
      best = Math.min(best, performance.now() - t);
    }
    return best;
  });
}

await page.goto(`${server.url}/`);
await page.waitForTimeout(1000);
const refBefore = await reference();
const idleMem = rendererRss(profile).now;
const t0 = Date.now();
const state = await openDump(page, server.url);
// First frame: sigma draws on the next animation frame after the data arrives.
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const firstFrameMs = Date.now() - t0;
if (state !== "ready") {
  console.error(`@gosleuth/viewer bench: the page failed: ${await page.textContent("#load-error")}`);
  process.exit(1);
}
const loadedMem = rendererRss(profile).now;
const summary = await page.textContent("#dump-summary");
const nodes = await page.getAttribute("#node-count", "data-nodes");
const afterLoad = await page.evaluate(() => ({ ...window.__bench }));
const marks = await page.evaluate(() =>
  performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]),
);
if (process.env.BENCH_VERBOSE)
  console.log("long tasks [start, ms]:", JSON.stringify(afterLoad.tasks), "marks:", JSON.stringify(marks));

// Panning: drag across the graph for ~3 s while counting frames in the page.
const box = await page.locator("#graph").boundingBox();
await page.evaluate(() => {
  const w = window;
  w.__frames = [];
  let last = performance.now();
  const tick = (t) => {
    w.__frames.push(t - last);
    last = t;
    if (!w.__stopFrames) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
const cx = box.x + box.width / 2;
const cy = box.y + box.height / 2;
await page.mouse.move(cx, cy);
await page.mouse.down();
await page.evaluate(() => performance.mark("bench:pan"));
const drawn0 = await page.evaluate(() => window.gosleuth.framesDrawn?.() ?? -1);
const panCpu0 = cpuTimes(profile);
const panStart = Date.now();
let k = 0;
while (Date.now() - panStart < 3000) {
  const a = (k++ / 30) * Math.PI;
  await page.mouse.move(cx + Math.cos(a) * 250, cy + Math.sin(a) * 150, { steps: 2 });
}
await page.mouse.up();
const panCpu = cpuDelta(panCpu0, cpuTimes(profile));
const frames = await page.evaluate(() => {
  window.__stopFrames = true;
  return window.__frames.slice(1);
});
// Frames sigma drew during the drag; the page shows the others by moving the last one drawn.
const panDrawn = (await page.evaluate(() => window.gosleuth.framesDrawn?.() ?? -1)) - drawn0;
const sorted = [...frames].sort((a, b) => a - b);
const avg = frames.reduce((s, x) => s + x, 0) / Math.max(1, frames.length);
const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;

// Scrolling the group list: jump through it in wheel steps while counting frames.
await page.evaluate(() => {
  const w = window;
  w.__frames = [];
  w.__stopFrames = false;
  let last = performance.now();
  const tick = (t) => {
    w.__frames.push(t - last);
    last = t;
    if (!w.__stopFrames) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
await page.evaluate(() => performance.mark("bench:list"));
const listBox = await page.locator("#list").boundingBox();
await page.mouse.move(listBox.x + listBox.width / 2, listBox.y + listBox.height / 2);
const scrollStart = Date.now();
while (Date.now() - scrollStart < 3000) await page.mouse.wheel(0, 2400);
const listFrames = await page.evaluate(() => {
  window.__stopFrames = true;
  return window.__frames.slice(1);
});
const listRows = await page.textContent("#list-count");
const listTop = await page.evaluate(() => document.getElementById("list").scrollTop);
const lavg = listFrames.reduce((s, x) => s + x, 0) / Math.max(1, listFrames.length);
const lsorted = [...listFrames].sort((a, b) => a - b);

// Path to the root: search the deepest kind of goroutine and time until the panel lists its path.
await page.evaluate(() => performance.mark("bench:search"));
const tPath = Date.now();
await searchPath(page, searchArg >= 0 ? process.argv[searchArg + 1] : rows > 0 ? "worker7" : "readLoop");
const pathMs = Date.now() - tPath;
// Expanding the biggest node into its goroutines (per-goroutine mode).
await page.evaluate(() => performance.mark("bench:expand"));
const tExp = Date.now();
const before = await page.evaluate(() => window.gosleuth.nodeIds().length);
// Done when the node is in the view's expanded list (the page adds the nodes a slice per task first).
await expandSelected(page);
const expandMs = Date.now() - tExp;
const expandedNodes = (await page.evaluate(() => window.gosleuth.nodeIds().length)) - before;
// The expanded graph's frames land in the expansion's phase; then the node is collapsed back.
await page.waitForTimeout(1000);
await page.evaluate(() => performance.mark("bench:collapse"));
const tCol = Date.now();
await collapseSelected(page);
const collapseMs = Date.now() - tCol;
await page.waitForTimeout(1000);
const final = await page.evaluate(() => ({ ...window.__bench }));
if (process.env.BENCH_VERBOSE)
  console.log(
    "long tasks after load [start, ms]:",
    JSON.stringify(final.tasks?.slice(afterLoad.tasks?.length ?? 0)),
    "marks:",
    JSON.stringify(
      await page.evaluate(() =>
        performance
          .getEntriesByType("mark")
          .filter((m) => m.name.startsWith("bench:"))
          .map((m) => [m.name, Math.round(m.startTime)]),
      ),
    ),
  );
// Every mark of the run, for the longest task of each phase.
const allMarks = await page.evaluate(() =>
  performance
    .getEntriesByType("mark")
    .filter((m) => m.name.startsWith("gosleuth:") || m.name.startsWith("bench:"))
    .map((m) => [m.name, m.startTime]),
);
const refAfter = await reference();

clearInterval(memTimer);
memPeak = Math.max(memPeak, rendererRss(profile).peak);
await browser.close();
if (rows > 0) rmSync(dirname(dump), { recursive: true, force: true });
await server.close();

// The unit: the reference workload's mean over the two runs of this browser (wall time for wall-time
// figures, the renderer's CPU time for CPU figures). "first frame 9.4 ×" is 9.4 times the reference.
const ref = { wall: (refBefore.wall + refAfter.wall) / 2, cpu: (refBefore.cpu + refAfter.cpu) / 2 };
// The targets hold on a machine 3 × slower than the one the README's figures come from, whose reference
// (CPU time, idle) is README_REFERENCE_CPU_MS: budgets in reference units are target / (3 × that).
const README_REFERENCE_CPU_MS = 600;
const SLOWER = 3;
const slowRef = SLOWER * README_REFERENCE_CPU_MS;
const x = (v, unit, digits = 2) => `${(v / unit).toFixed(digits)} ×`;
const longestBudget = 200 / slowRef;
// Panning on the slower machine: the busier of the renderer and the GPU process bounds the frame rate
// (two cores, one each), its CPU per frame scaled from this run's reference to the slower machine's.
const panFrames = Math.max(1, frames.length);
const perFrame = { renderer: panCpu.renderer / panFrames, gpu: panCpu.gpu / panFrames };
const busiest = Math.max(perFrame.renderer, perFrame.gpu);
const slowFrameMs = (busiest / ref.cpu) * slowRef;
const slowFps = Math.min(60, 1000 / Math.max(1e-9, slowFrameMs));
console.log(`dump: ${dump}`);
console.log(`header: ${summary}; aggregated nodes drawn: ${nodes}`);
console.log(
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")} (1, 5, 15 min) on ${availableParallelism()} cores`,
);
console.log(
  `reference (page JS: 5 × sort of 1M numbers): ${ref.wall.toFixed(0)} ms wall (best of 3; ${refBefore.wall.toFixed(0)} before, ${refAfter.wall.toFixed(0)} after), ${ref.cpu.toFixed(0)} ms CPU (mean); the README's machine: ${README_REFERENCE_CPU_MS} ms CPU`,
);
console.log(
  `first frame: ${(firstFrameMs / 1000).toFixed(2)} s = ${x(firstFrameMs, ref.wall, 1)} reference (first progress at ${(afterLoad.firstProgress / 1000).toFixed(2)} s, ${afterLoad.progressEvents} progress updates)`,
);
console.log(
  `longest main-thread task: ${final.longest.toFixed(0)} ms = ${x(final.longest, ref.wall, 3)} reference (during load ${afterLoad.longest.toFixed(0)} ms; ${final.longTasks} tasks over 50 ms); budget: < 200 ms on a machine ${SLOWER} × slower than the README's = < ${longestBudget.toFixed(3)} × reference ${final.longest / ref.wall < longestBudget ? "(within)" : "(OVER)"}`,
);
// Which part of the run each long task fell in (by its start), so that a figure over budget says where.
const markAt = new Map(allMarks);
const phases = [
  ["page start", 0],
  // Sigma is created in the first task after WebGL's warm-up answers (load-controller.ts).
  ["sigma's constructor", markAt.get("gosleuth:gl-warm")],
  ["sigma's programs while the dump loads", markAt.get("gosleuth:sigma-created")],
  ["the dump shown", markAt.get("gosleuth:loaded")],
  ["panning", markAt.get("bench:pan")],
  ["list scrolling", markAt.get("bench:list")],
  ["search", markAt.get("bench:search")],
  ["expansion", markAt.get("bench:expand")],
  ["collapse", markAt.get("bench:collapse")],
].filter(([, t]) => t !== undefined);
const byPhase = phases.map(([name, from], i) => {
  const to = phases[i + 1]?.[1] ?? Number.POSITIVE_INFINITY;
  const ds = (final.tasks ?? []).filter(([t]) => t >= from && t < to).map(([, d]) => d);
  return { name, longest: Math.max(0, ...ds), count: ds.length };
});
console.log(
  `longest task by phase: ${byPhase
    .map(
      (p) =>
        `${p.name} ${p.count > 0 ? `${p.longest} ms = ${x(p.longest, ref.wall, 3)}` : "none over 50 ms"}${p.count > 1 ? ` (${p.count} tasks over 50 ms)` : ""}`,
    )
    .join("; ")}`,
);
console.log(
  `panning: ${(1000 / avg).toFixed(1)} fps average, p95 frame ${p95.toFixed(1)} ms (${frames.length} frames); CPU per frame: renderer ${perFrame.renderer.toFixed(1)} ms = ${x(perFrame.renderer, ref.cpu, 4)}, GPU process ${perFrame.gpu.toFixed(1)} ms = ${x(perFrame.gpu, ref.cpu, 4)} reference; on a machine ${SLOWER} × slower than the README's: ~${slowFps.toFixed(0)} fps ${slowFps >= 50 ? "(target ≥ 50: within)" : "(target ≥ 50: BELOW)"}`,
);
if (drawn0 >= 0)
  console.log(
    `panning: sigma drew ${panDrawn} of the ${frames.length} frames; the others moved the last frame drawn as a whole`,
  );
console.log(
  `renderer RSS (page + workers): peak ${mb(memPeak)}; ${mb(idleMem)} for the empty page, ${mb(loadedMem)} once loaded`,
);
console.log(
  `list (${listRows}) scrolled to ${Math.round(listTop)} px: ${(1000 / lavg).toFixed(1)} fps average, p95 frame ${(lsorted[Math.floor(lsorted.length * 0.95)] ?? 0).toFixed(1)} ms`,
);
console.log(`search → path to root shown: ${pathMs} ms = ${x(pathMs, ref.wall)} reference`);
console.log(
  `expand a node into ${expandedNodes} goroutine nodes: ${expandMs} ms = ${x(expandMs, ref.wall)} reference; collapse it back: ${collapseMs} ms = ${x(collapseMs, ref.wall)}`,
);
