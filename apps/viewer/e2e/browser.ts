// Shared setup for the browser tests and the benchmark: build the viewer, serve it with a dump, drive Debian's Chromium.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { serve } from "./server.mjs";

export const VIEWER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUTPUT_DIR = join(VIEWER_DIR, "e2e", "output");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const hasChromium = existsSync(CHROMIUM);

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

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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
}

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
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext("2d");
    if (!ctx) return 0;
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i]! < 240 || px[i + 1]! < 240 || px[i + 2]! < 240) drawn++;
    return drawn / (px.length / 4);
  }, png.toString("base64"));
}

/** Colours (r, g, b) of pixels of the graph pane (pane coordinates), read from a real screenshot. */
export async function paneColors(
  page: Page,
  points: readonly { x: number; y: number }[],
): Promise<[number, number, number][]> {
  const png = await page.locator("#graph").screenshot();
  return page.evaluate(
    async ([b64, pts]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext("2d");
      if (!ctx) return [];
      ctx.drawImage(img, 0, 0);
      return pts.map((p) => {
        const [r, g, b] = ctx.getImageData(Math.round(p.x), Math.round(p.y), 1, 1).data;
        return [r!, g!, b!] as [number, number, number];
      });
    },
    [png.toString("base64"), points] as const,
  );
}

/** Clicks the centre of a graph node, found through the page's read-only test hook. */
export async function clickNode(page: Page, id: string): Promise<void> {
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
