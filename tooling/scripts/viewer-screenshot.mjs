#!/usr/bin/env node
// Takes the README's screenshot of the viewer: the built viewer (apps/viewer/dist) on a bundled leaking
// service's dump, in Debian's Chromium, written to apps/viewer/screenshot.png. Build the viewer first.
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const viewer = resolve(root, "apps/viewer");
// playwright-core is the viewer's test dependency; resolve it from there.
const { chromium } = createRequire(resolve(viewer, "package.json"))("playwright-core");
const { serve } = await import(resolve(viewer, "e2e/server.mjs"));

const dump = resolve(
  root,
  process.argv[2] ?? "packages/fixtures/labeled/leakybank/leakybank-t0320s-debug2.txt",
);
const out = resolve(root, process.argv[3] ?? "apps/viewer/screenshot.png");
const served = await serve({ dist: resolve(viewer, "dist"), dump });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  await page.goto(`${served.url}/?src=/dump`);
  await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 120_000 });
  await page.waitForTimeout(4000); // let the layout settle
  await page.screenshot({ path: out });
  console.log(out);
} finally {
  await browser.close();
  await served.close();
}
