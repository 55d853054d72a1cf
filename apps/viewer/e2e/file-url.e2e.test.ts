// The built viewer opened as a file (file://, where Chromium runs no module script) shows how to serve it;
// served over http, its script runs and the note goes.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildViewer, hasChromium, launch, type Served, serveViewer, VIEWER_DIR } from "./browser.ts";

let browser: Browser;
let served: Served;

describe.skipIf(!hasChromium)("the viewer opened from file:// and from http", () => {
  beforeAll(async () => {
    await buildViewer();
    browser = await launch();
    served = await serveViewer(null);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("from file://, the page says to serve the folder", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(VIEWER_DIR, "dist", "index.html")).href);
    await page.waitForLoadState("load");
    const note = page.locator("#file-note");
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(
      /serve this folder, e\.g\.\s+npx http-server\s+or\s+python3 -m http\.server/,
    );
    // The note is what shows: the app itself never started.
    expect(await page.evaluate(() => document.body.dataset.state ?? "")).toBe("");
    await page.close();
  });

  it("over http, the script runs and the note is hidden", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${served.url}/`);
    await page.waitForFunction(() => document.getElementById("file-note")?.hidden === true, null, {
      timeout: 60_000,
    });
    expect(await page.locator("#file-note").isVisible()).toBe(false);
    expect(await page.locator("#landing").isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
