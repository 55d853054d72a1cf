// Debian's Chromium for the browser tests and the developer tools (bench, trace, profile, same-picture):
// one launch with the project's flags, one PNG decode (in the page), and the bench's steps on a page
// (load a dump, search, expand, collapse). Plain JS so that the tools run under node without a build.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless, software GL, and nothing that talks to the network or updates itself while a test runs. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with the project's flags (and `args` after them). */
export function launch({ args = [] } = {}) {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...args] });
}

/**
 * A browser with a profile directory of its own (the bench finds its processes in /proc by it), its
 * first page, and `close`, which also removes the directory.
 */
export async function launchWithProfile({ prefix = "gosleuth-chromium-", viewport, args = [] } = {}) {
  const profile = mkdtempSync(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...args],
    ...(viewport ? { viewport } : {}),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    profile,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Peak and current RSS (bytes) of the tab's renderer (the page and its workers live there) of the
 * browser with this profile directory, found in /proc by its command line.
 */
export function rendererRss(profile) {
  let peak = 0;
  let now = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let status = "";
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (!cmd.includes(profile) || !cmd.includes("--type=renderer") || cmd.includes("--top-chrome-webui"))
        continue;
      status = readFileSync(`/proc/${d}/status`, "utf8");
    } catch {
      continue; // the process ended meanwhile
    }
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
    now = Math.max(now, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
  }
  return { peak, now };
}

/**
 * Decodes PNGs in `page` (the browser's own decoder) and answers one question about them there, so
 * that no pixel array crosses to node:
 * - `{ op: "inked", rect? }` on one PNG: pixels that differ from the white background (any channel
 *   under 240), in `rect` (x, y, width, height) or the whole image; answers `{ inked, total }`.
 * - `{ op: "colors", points }` on one PNG: the `[r, g, b]` of each point (rounded to whole pixels).
 * - `{ op: "diff" }` on two PNGs: `{ size, n, max }`, the size, how many pixels differ and the most
 *   levels any channel differs by (`n` is -1 when the sizes differ).
 */
export function pngQuery(page, pngs, question) {
  return page.evaluate(
    async ({ images, q }) => {
      const decode = async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext("2d");
        if (!ctx) throw new Error("@gosleuth/viewer e2e: no 2D canvas to decode a PNG in");
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, img.width, img.height);
      };
      const [a, b] = await Promise.all(images.map(decode));
      if (q.op === "inked") {
        const r = q.rect ?? { x: 0, y: 0, width: a.width, height: a.height };
        let inked = 0;
        for (let y = r.y; y < r.y + r.height; y++)
          for (let x = r.x; x < r.x + r.width; x++) {
            const i = (y * a.width + x) * 4;
            if (a.data[i] < 240 || a.data[i + 1] < 240 || a.data[i + 2] < 240) inked++;
          }
        return { inked, total: r.width * r.height };
      }
      if (q.op === "colors")
        return q.points.map((p) => {
          const i = (Math.round(p.y) * a.width + Math.round(p.x)) * 4;
          return [a.data[i], a.data[i + 1], a.data[i + 2]];
        });
      if (a.width !== b.width || a.height !== b.height)
        return { size: `${a.width}×${a.height} against ${b.width}×${b.height}`, n: -1, max: 0 };
      let n = 0;
      let max = 0;
      for (let i = 0; i < a.data.length; i += 4) {
        let d = 0;
        for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(a.data[i + k] - b.data[i + k]));
        if (d > 0) n++;
        max = Math.max(max, d);
      }
      return { size: `${a.width}×${a.height}`, n, max };
    },
    { images: pngs.map((p) => Buffer.from(p).toString("base64")), q: question },
  );
}

/** Opens the page's dump (`/?src=/dump` on `url`) and waits until it is shown or failed; answers the page's state. */
export async function openDump(page, url, { timeout = 600_000 } = {}) {
  await page.goto(`${url}/?src=/dump`);
  await page.waitForFunction(
    () => document.body.dataset.state === "ready" || document.body.dataset.state === "error",
    null,
    { timeout },
  );
  return page.evaluate(() => document.body.dataset.state);
}

/** Searches `term` and waits until the panel lists the first hit's path to the root. */
export async function searchPath(page, term) {
  await page.fill("#search", term);
  await page.press("#search", "Enter");
  await page.waitForSelector('[data-testid="path"] li', { timeout: 60_000 });
}

/** Expands the selected node (its panel's button) and waits until the view records it, laid out. */
export async function expandSelected(page) {
  await page.click('[data-testid="expand-btn"]');
  await page.waitForFunction(() => window.gosleuth.view().exp.length > 0, null, { timeout: 60_000 });
}

/** Collapses the expanded node again (the same button) and waits until the view has no expansion. */
export async function collapseSelected(page) {
  await page.click('[data-testid="expand-btn"]');
  await page.waitForFunction(() => window.gosleuth.view().exp.length === 0, null, { timeout: 60_000 });
}

/**
 * Waits until the page has done what it was asked and drawn it (`gosleuth.settled()`: no camera
 * animation, no frame or worker answer on its way). A build from before that hook gets `fallbackMs`.
 */
export async function settle(page, { timeout = 60_000, fallbackMs = 2500 } = {}) {
  const hooked = await page.evaluate(() => typeof window.gosleuth?.settled === "function");
  if (!hooked) {
    await page.waitForTimeout(fallbackMs);
    return;
  }
  await page.waitForFunction(() => window.gosleuth.settled(), null, { timeout, polling: 50 });
}
