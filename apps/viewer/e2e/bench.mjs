// Viewer benchmark in headless Chromium on a big dump: time to first frame, longest main-thread task,
// renderer memory, panning frame rate, and the time to open a node's path to the root.
// Usage: node e2e/bench.mjs [dump]   (default: the shared corpus's go1.26-spawnfarm-216k.txt.gz; build the viewer first)
//        node e2e/bench.mjs --rows N  (a generated dump with N distinct stacks: N list rows and N tree nodes; scroll test)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const viewer = resolve(here, "..");
const rowsArg = process.argv.indexOf("--rows");
const rows = rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 0;
const dump =
  rows > 0
    ? syntheticDump(rows)
    : (process.argv[2] ??
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
if (!existsSync(join(viewer, "dist", "index.html"))) {
  console.error("@gosleuth/viewer bench: dist/ is missing; run `pnpm --filter @gosleuth/viewer build` first");
  process.exit(2);
}

/** Peak and current RSS of this browser's tab renderer (the page and its workers live there), found by its profile dir. */
function rendererMemory(profileDir) {
  let peak = 0;
  let now = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let cmd = "";
    let status = "";
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (!cmd.includes(profileDir) || !cmd.includes("--type=renderer") || cmd.includes("--top-chrome-webui"))
        continue;
      status = readFileSync(`/proc/${d}/status`, "utf8");
    } catch {
      continue;
    }
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
    now = Math.max(now, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
  }
  return { peak, now };
}

const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;

const server = await serve({ dist: join(viewer, "dist"), dump });
const profile = mkdtempSync(join(tmpdir(), "gosleuth-bench-"));
const context = await chromium.launchPersistentContext(profile, {
  viewport: { width: 1500, height: 900 },
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
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
  memPeak = Math.max(memPeak, rendererMemory(profile).peak);
}, 250);

/**
 * A fixed piece of page JavaScript (sorting 1M pseudo-random numbers, five times; the best of three
 * runs), timed in this run's browser before and after the measurements: figures divided by it
 * compare across machines and loads, which absolute times on a shared 2-core machine do not.
 */
function referenceMs() {
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
const refBefore = await referenceMs();
const idleMem = rendererMemory(profile).now;
const t0 = Date.now();
await page.goto(`${server.url}/?src=/dump`);
await page.waitForFunction(
  () => document.body.dataset.state === "ready" || document.body.dataset.state === "error",
  null,
  {
    timeout: 600_000,
  },
);
// First frame: sigma draws on the next animation frame after the data arrives.
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const firstFrameMs = Date.now() - t0;
const state = await page.evaluate(() => document.body.dataset.state);
if (state !== "ready") {
  console.error(`@gosleuth/viewer bench: the page failed: ${await page.textContent("#load-error")}`);
  process.exit(1);
}
const loadedMem = rendererMemory(profile).now;
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
const panStart = Date.now();
let k = 0;
while (Date.now() - panStart < 3000) {
  const a = (k++ / 30) * Math.PI;
  await page.mouse.move(cx + Math.cos(a) * 250, cy + Math.sin(a) * 150, { steps: 2 });
}
await page.mouse.up();
const frames = await page.evaluate(() => {
  window.__stopFrames = true;
  return window.__frames.slice(1);
});
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
const tPath = Date.now();
await page.fill("#search", rows > 0 ? "worker7" : "readLoop");
await page.press("#search", "Enter");
await page.waitForSelector('[data-testid="path"] li', { timeout: 60_000 });
const pathMs = Date.now() - tPath;
// Expanding the biggest node into its goroutines (per-goroutine mode).
const tExp = Date.now();
const before = await page.evaluate(() => window.gosleuth.nodeIds().length);
await page.click('[data-testid="expand-btn"]');
await page.waitForFunction((n) => window.gosleuth.nodeIds().length > n, before, { timeout: 60_000 });
const expandMs = Date.now() - tExp;
const expandedNodes = (await page.evaluate(() => window.gosleuth.nodeIds().length)) - before;
const final = await page.evaluate(() => ({ ...window.__bench }));
const refAfter = await referenceMs();

clearInterval(memTimer);
memPeak = Math.max(memPeak, rendererMemory(profile).peak);
await context.close();
rmSync(profile, { recursive: true, force: true });
if (rows > 0) rmSync(dirname(dump), { recursive: true, force: true });
await server.close();

console.log(`dump: ${dump}`);
console.log(`header: ${summary}; aggregated nodes drawn: ${nodes}`);
console.log(
  `time to first frame: ${(firstFrameMs / 1000).toFixed(2)} s (first progress shown at ${(afterLoad.firstProgress / 1000).toFixed(2)} s, ${afterLoad.progressEvents} progress updates)`,
);
console.log(
  `longest main-thread task during load: ${afterLoad.longest.toFixed(0)} ms (${afterLoad.longTasks} tasks over 50 ms)`,
);
console.log(
  `longest main-thread task overall: ${final.longest.toFixed(0)} ms (${final.longTasks} tasks over 50 ms)`,
);
console.log(
  `renderer RSS (page + workers): peak ${mb(memPeak)}; ${mb(idleMem)} for the empty page, ${mb(loadedMem)} once loaded`,
);
console.log(
  `panning: ${frames.length} frames, ${(1000 / avg).toFixed(1)} fps average, p95 frame ${p95.toFixed(1)} ms`,
);
console.log(
  `list (${listRows}) scrolled to ${Math.round(listTop)} px: ${(1000 / lavg).toFixed(1)} fps average, p95 frame ${(lsorted[Math.floor(lsorted.length * 0.95)] ?? 0).toFixed(1)} ms`,
);
console.log(`search → path to root shown: ${pathMs} ms`);
console.log(`expand a node into ${expandedNodes} goroutine nodes: ${expandMs} ms`);
// The mean of the two reference runs is the unit: "first frame 40 ×" means 40 times the reference's time.
const ref = (refBefore + refAfter) / 2;
console.log(
  `reference (page JS: 5 × sort of 1M numbers, best of 3): ${refBefore.toFixed(0)} ms before, ${refAfter.toFixed(0)} ms after`,
);
console.log(
  `in units of the reference: first frame ${(firstFrameMs / ref).toFixed(1)} ×, longest task ${(final.longest / ref).toFixed(2)} ×, panning frame (average) ${(avg / ref).toFixed(3)} ×`,
);
