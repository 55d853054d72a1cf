#!/usr/bin/env node
// Takes the README's screenshot of the viewer: the built viewer (apps/viewer/dist) on a bundled leaking
// service's dump, in Debian's Chromium, written to apps/viewer/screenshot.png. Build the viewer first.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const viewer = resolve(root, "apps/viewer");
// The viewer's browser-test helpers (playwright-core is its test dependency): Chromium with the project's flags.
const { launch, openDump, settle } = await import(resolve(viewer, "e2e/chromium.mjs"));
const { serve } = await import(resolve(viewer, "e2e/server.mjs"));

const dump = resolve(
  root,
  process.argv[2] ?? "packages/fixtures/labeled/leakybank/leakybank-t0320s-debug2.txt",
);
const out = resolve(root, process.argv[3] ?? "apps/viewer/screenshot.png");
const served = await serve({ dist: resolve(viewer, "dist"), dump });
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  const state = await openDump(page, served.url, { timeout: 120_000 });
  if (state !== "ready") throw new Error(`@gosleuth/scripts: the viewer did not load ${dump} (${state})`);
  await settle(page); // the first frame drawn and shown
  await page.screenshot({ path: out });
  console.log(out);
} finally {
  await browser.close();
  await served.close();
}
