// Developer tool: do two builds of the viewer draw the same picture? Screenshots of the graph pane
// after the bench's steps (the dump loaded, `readLoop` searched, its node expanded), one browser per
// build, and how many pixels differ at each step (decoded and compared by the page itself).
// Usage: node e2e/same-picture.mjs DIST_A DIST_B [dump] [--keep DIR]   (exit code 1 when any differ)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const args = process.argv.slice(2);
const keepArg = args.indexOf("--keep");
const keep = keepArg >= 0 ? resolve(args.splice(keepArg, 2)[1]) : null;
const [distA, distB, dumpArg] = args;
if (!distA || !distB) {
  console.error("usage: node e2e/same-picture.mjs DIST_A DIST_B [dump] [--keep DIR]");
  process.exit(2);
}
const dump = resolve(dumpArg ?? "/work/shared/corpus/generated/large/go1.26-spawnfarm-216k.txt.gz");
const dir = keep ?? mkdtempSync(join(tmpdir(), "gosleuth-same-picture-"));
const steps = ["loaded", "searched", "expanded"];
const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });

/** Screenshots of the graph pane after each step, for one build, as `${name}-${step}.png`. */
async function shoot(dist, name) {
  const server = await serve({ dist: resolve(dist), dump });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on("pageerror", (e) => console.error(`${name}: page error: ${e.message}`));
    const shot = async (step) => {
      // Long enough for any frame in flight (an animation, a staged frame) to be shown.
      await page.waitForTimeout(2500);
      writeFileSync(join(dir, `${name}-${step}.png`), await page.locator("#graph").screenshot());
    };
    await page.goto(`${server.url}/?src=/dump`);
    await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 300_000 });
    await shot("loaded");
    await page.fill("#search", "readLoop");
    await page.press("#search", "Enter");
    await page.waitForSelector('[data-testid="path"] li', { timeout: 60_000 });
    await shot("searched");
    await page.click('[data-testid="expand-btn"]');
    await page.waitForFunction(() => window.gosleuth.view().exp.length > 0, null, { timeout: 60_000 });
    await shot("expanded");
  } finally {
    await browser.close();
    await server.close();
  }
}

await shoot(distA, "a");
await shoot(distB, "b");
const browser = await launch();
const page = await browser.newPage();
let differ = false;
for (const step of steps) {
  const png = (name) => readFileSync(join(dir, `${name}-${step}.png`)).toString("base64");
  const result = await page.evaluate(
    async ([a, b]) => {
      const pixels = async (data) => {
        const img = new Image();
        img.src = `data:image/png;base64,${data}`;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext("2d");
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, img.width, img.height);
      };
      const [pa, pb] = [await pixels(a), await pixels(b)];
      if (pa.width !== pb.width || pa.height !== pb.height)
        return { size: `${pa.width}×${pa.height} against ${pb.width}×${pb.height}`, n: -1, max: 0 };
      let n = 0;
      let max = 0;
      for (let i = 0; i < pa.data.length; i += 4) {
        let d = 0;
        for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(pa.data[i + k] - pb.data[i + k]));
        if (d > 0) n++;
        max = Math.max(max, d);
      }
      return { size: `${pa.width}×${pa.height}`, n, max };
    },
    [png("a"), png("b")],
  );
  if (result.n !== 0) differ = true;
  console.log(
    result.n < 0
      ? `${step}: sizes differ (${result.size})`
      : `${step}: ${result.n} pixels differ of ${result.size}${result.n > 0 ? ` (at most ${result.max} levels in a channel)` : ""}`,
  );
}
await browser.close();
if (!keep) rmSync(dir, { recursive: true, force: true });
process.exit(differ ? 1 : 0);
