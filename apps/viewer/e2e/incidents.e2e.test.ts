// Browser test of incidents in the viewer, on the bundled ABBA dump (a real lock-order inversion): the incident is
// listed above the groups, and picking it outlines all of its nodes together, in view, with its evidence in the panel.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fixture } from "@gosleuth/fixtures";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentViews } from "../src/adapters.ts";
import { buildDataset } from "../src/build-dataset.ts";
import type { IncidentView } from "../src/protocol.ts";
import {
  buildViewer,
  hasChromium,
  launch,
  outputPath,
  type Served,
  serveViewer,
  waitReady,
  waitSettled,
} from "./browser.ts";

// The server sends the .gz as it is: the page gunzips it, as it does for a dropped .txt.gz.
const DUMP = fixture("labeled/abba/abba-t0150s-debug2.txt.gz");

type Hook = {
  gosleuth: {
    outlined(): string[];
    nodeIds(): string[];
    nodePosition(id: string): { x: number; y: number } | null;
    canvasSize(): { width: number; height: number };
  };
};

describe.skipIf(!hasChromium)("incidents in Chromium (abba-t0150s-debug2)", () => {
  let browser: Browser;
  let server: Served;
  let page: Page;
  const errors: string[] = [];
  let incidents: IncidentView[] = [];

  beforeAll(async () => {
    await buildViewer();
    // What the worker computes, computed in Node from the same text.
    const text = gunzipSync(readFileSync(DUMP)).toString("utf8");
    const built = await buildDataset(new Blob([text]).stream());
    if (built)
      incidents = incidentViews(built.incidents, built.dataset.findingViews, built.dataset.groupViews());
    server = await serveViewer(DUMP);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    await page.goto(`${server.url}/?src=/dump`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lists the lock-order inversion above the groups", async () => {
    const inversion = incidents.find((x) => x.kind === "lock-order inversion");
    expect(inversion, JSON.stringify(incidents.map((x) => [x.id, x.kind, x.title]))).toBeDefined();
    expect(inversion!.nodeIds.length).toBeGreaterThan(1);
    expect(await waitReady(page)).toBe("ready");
    await page.waitForSelector('[data-testid="incident-row"]');
    const rows = await page.$$eval("#list .list-row", (els) =>
      els
        .sort((a, b) => Number.parseFloat(a.style.top) - Number.parseFloat(b.style.top))
        .map((e) => ({
          incident: e.dataset.incident ?? null,
          group: e.dataset.group ?? null,
          text: e.textContent,
        })),
    );
    const firstGroup = rows.findIndex((r) => r.group !== null);
    const at = rows.findIndex((r) => r.incident === inversion!.id);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(firstGroup).toBeGreaterThan(at);
    // Every incident row comes before every group row.
    expect(rows.slice(firstGroup).every((r) => r.incident === null)).toBe(true);
    expect(rows[at]!.text).toContain(inversion!.title);
    expect(rows[at]!.text).toContain(inversion!.severity);
  });

  it("clicking the incident outlines every member node, in view, and opens its panel", async () => {
    const inversion = incidents.find((x) => x.kind === "lock-order inversion")!;
    const drawn = new Set(await page.evaluate(() => (window as unknown as Hook).gosleuth.nodeIds()));
    for (const id of inversion.nodeIds) expect(drawn.has(id), id).toBe(true);
    await page.click(`[data-incident="${inversion.id}"]`);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as Hook).gosleuth.outlined().sort()))
      .toEqual([...inversion.nodeIds].sort());
    expect(await page.getAttribute("#panel", "data-node")).toBe(`incident:${inversion.id}`);
    expect(await page.textContent('[data-testid="incident-title"]')).toBe(inversion.title);
    expect(await page.textContent('[data-testid="incident-root"]')).toBe(inversion.rootCause);
    const reasons = await page.locator('[data-testid="incident-reasons"] li').allTextContents();
    expect(reasons).toEqual(inversion.reasons);
    // Once the camera's animation is over, every member is inside the graph pane.
    await waitSettled(page);
    const size = await page.evaluate(() => (window as unknown as Hook).gosleuth.canvasSize());
    for (const id of inversion.nodeIds) {
      const p = await page.evaluate((nid) => (window as unknown as Hook).gosleuth.nodePosition(nid), id);
      expect(p, id).not.toBeNull();
      expect(p!.x, id).toBeGreaterThanOrEqual(0);
      expect(p!.x, id).toBeLessThanOrEqual(size.width);
      expect(p!.y, id).toBeGreaterThanOrEqual(0);
      expect(p!.y, id).toBeLessThanOrEqual(size.height);
    }
    await page.screenshot({ path: outputPath("incident-abba.png") });
    expect(errors).toEqual([]);
  });
});
