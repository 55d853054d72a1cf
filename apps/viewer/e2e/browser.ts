// Shared setup for the browser tests and the benchmark: build the viewer, serve it with a dump, drive Debian's Chromium.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { build } from "vite";
import { CHROMIUM_PATH, pngQuery } from "./chromium.mjs";
import { serve } from "./server.mjs";

export const VIEWER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUTPUT_DIR = join(VIEWER_DIR, "e2e", "output");
export const hasChromium = existsSync(CHROMIUM_PATH);

/** Builds dist/ from the current source so the tests never run a stale bundle. */
export async function buildViewer(): Promise<void> {
  await build({ root: VIEWER_DIR, logLevel: "warn", configFile: join(VIEWER_DIR, "vite.config.ts") });
}

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

export function serveViewer(dump: string | null): Promise<Served> {
  return serve({ dist: join(VIEWER_DIR, "dist"), dump });
}

/** Debian's Chromium with the project's flags (shared with the developer tools). */
export { launch } from "./chromium.mjs";

export function outputPath(name: string): string {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return join(OUTPUT_DIR, name);
}

/** Waits until the page says it has drawn a dump (or failed). */
export async function waitReady(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(
    () => document.body.dataset.state === "ready" || document.body.dataset.state === "error",
    null,
    { timeout },
  );
  return (await page.evaluate(() => document.body.dataset.state)) ?? "";
}

/**
 * Share of pixels in the graph pane that differ from its white background, measured on a real
 * screenshot (WebGL canvases cannot be read back after compositing), decoded by the page itself.
 */
export async function drawnShare(page: Page): Promise<number> {
  const png = await page.locator("#graph").screenshot();
  const { inked, total } = await pngQuery(page, [png], { op: "inked" });
  return inked / total;
}

/** Colours (r, g, b) of pixels of the graph pane (pane coordinates), read from a real screenshot. */
export async function paneColors(
  page: Page,
  points: readonly { x: number; y: number }[],
): Promise<[number, number, number][]> {
  const png = await page.locator("#graph").screenshot();
  return pngQuery(page, [png], { op: "colors", points });
}

/**
 * Waits until the page has done what it was asked and drawn it: no camera animation, no frame, layout
 * or worker answer on its way, the picking pass (what a click reads) drawn. Wait first for the effect
 * of the action itself (a selection, a count): just after an action the page may not have begun yet.
 */
export async function waitSettled(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () => (window as unknown as { gosleuth: { settled(): boolean } }).gosleuth.settled(),
    null,
    { timeout, polling: 50 },
  );
}

/**
 * Clicks the centre of a graph node, found through the page's read-only test hook, once nothing moves:
 * during a camera animation the node is not where it will be, and sigma's picking pass (what a click
 * reads) is left out of the frames drawn meanwhile.
 */
export async function clickNode(page: Page, id: string): Promise<void> {
  await waitSettled(page);
  const pos = await page.evaluate(
    (nid) =>
      (
        window as unknown as { gosleuth: { nodePosition(id: string): { x: number; y: number } | null } }
      ).gosleuth.nodePosition(nid),
    id,
  );
  if (!pos) throw new Error(`node ${id} is not drawn`);
  const box = await page.locator("#graph").boundingBox();
  if (!box) throw new Error("graph pane has no box");
  await page.mouse.click(box.x + pos.x, box.y + pos.y);
}
