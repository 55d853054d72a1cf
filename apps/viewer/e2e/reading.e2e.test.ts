// Browser tests of reading a dump: the camera keeps the selection in sight, failed loads stay quiet, the crash
// banner, the race view, debug=1 groups in the panel, labels that never overlap, and the PNG export.
import { readFileSync } from "node:fs";
import { corpus, fixture, hasSharedCorpus } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { buildReport, StackGrouper } from "@gosleuth/stacks";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildViewer,
  drawnShare,
  hasChromium,
  launch,
  outputPath,
  type Served,
  serveViewer,
  waitReady,
  waitSettled,
} from "./browser.ts";
import { pngQuery } from "./chromium.mjs";

type Box = { x0: number; y0: number; x1: number; y1: number };
type Hook = {
  gosleuth: {
    nodePosition(id: string): { x: number; y: number } | null;
    labelBoxes(): Box[];
    lastExport(): { width: number; height: number; labels: Box[] } | null;
    nodeIds(): string[];
    shownNodeIds(): string[];
    canvasSize(): { width: number; height: number };
    view(): { sel: string | null };
  };
};

const LEAKYBANK = fixture("labeled/leakybank/leakybank-t0320s-debug2.txt");
const CRASH_NIL = fixture("generated/go-versions/go1.26-crash-nil.txt");
const SPAWNFARM = fixture("generated/go-versions/go1.26-spawnfarm-stack.txt");
const SIGQUIT = fixture("generated/go-versions/go1.26-spawnfarm-sigquit-all.txt");

/** Opens `dump` in a fresh page served by the reference server; collects page errors. */
async function open(browser: Browser, server: Served, query = "?src=/dump") {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/${query}`);
  return { page, errors };
}

/** The selected node's position, once the camera's animation has ended, and the canvas size. */
async function selectedOnScreen(page: Page) {
  await waitSettled(page);
  return page.evaluate(() => {
    const g = (window as unknown as Hook).gosleuth;
    const sel = g.view().sel;
    return { sel, pos: sel ? g.nodePosition(sel) : null, size: g.canvasSize() };
  });
}

function expectInside(r: Awaited<ReturnType<typeof selectedOnScreen>>) {
  expect(r.sel).not.toBeNull();
  expect(r.pos).not.toBeNull();
  expect(r.pos!.x).toBeGreaterThanOrEqual(0);
  expect(r.pos!.x).toBeLessThanOrEqual(r.size.width);
  expect(r.pos!.y).toBeGreaterThanOrEqual(0);
  expect(r.pos!.y).toBeLessThanOrEqual(r.size.height);
}

/**
 * Zooms out by `steps` wheel steps over the pane's middle and waits until the camera has moved (a
 * node's position changed) and then settled (sigma animates each step).
 */
async function zoomOut(page: Page, steps: number) {
  const position = () =>
    page.evaluate(() => {
      const g = (window as unknown as Hook).gosleuth;
      const id = g.nodeIds()[0];
      return id === undefined ? null : g.nodePosition(id);
    });
  const before = await position();
  await page.mouse.move(900, 450);
  for (let i = 0; i < steps; i++) await page.mouse.wheel(0, 400);
  await expect.poll(position).not.toEqual(before);
  await waitSettled(page);
}

const overlapping = (boxes: Box[]) => {
  const out: [Box, Box][] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) out.push([a, b]);
    }
  return out;
};

describe.skipIf(!hasChromium)("the camera keeps the selection in sight (leakybank)", () => {
  let browser: Browser;
  let server: Served;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(LEAKYBANK);
    browser = await launch();
    ({ page, errors } = await open(browser, server));
    expect(await waitReady(page)).toBe("ready");
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("searching a function moves the camera onto it, inside the canvas", async () => {
    await page.fill("#search", "enqueue");
    await page.press("#search", "Enter");
    await page.waitForSelector("#panel:not([hidden])");
    const r = await selectedOnScreen(page);
    expectInside(r);
    expect(await drawnShare(page)).toBeGreaterThan(0.01);
    await page.screenshot({ path: outputPath("r01-search-enqueue.png") });
  });

  it("clicking a row of the group list does the same", async () => {
    const before = await page.getAttribute("#panel", "data-node");
    await page.click("#fit-btn");
    await page.click(".list-row >> nth=1");
    // The panel was open on the search's node: wait for the row's, which is another.
    await expect.poll(() => page.getAttribute("#panel", "data-node")).not.toBe(before);
    expect(await page.getAttribute("#panel", "data-node")).toBe(
      await page.evaluate(() => (window as unknown as Hook).gosleuth.view().sel),
    );
    expectInside(await selectedOnScreen(page));
    expect(await drawnShare(page)).toBeGreaterThan(0.01);
  });

  it("a filter keeps the graph drawn and the legend chips it matches on", async () => {
    await page.fill("#filter", "state:chan wait:>1");
    await expect.poll(() => page.textContent("#match-count")).toMatch(/ of 9,217 goroutines match$/);
    // The camera follows the filter (an animation started with the counts).
    await waitSettled(page);
    expect(await drawnShare(page)).toBeGreaterThan(0.005);
    // The selection (a select-state node) is filtered out: the camera shows every node still drawn.
    const shown = await page.evaluate(() => {
      const g = (window as unknown as Hook).gosleuth;
      return { sel: g.view().sel, ids: g.shownNodeIds(), size: g.canvasSize() };
    });
    expect(shown.ids).not.toContain(shown.sel);
    expect(shown.ids.length).toBeGreaterThan(2);
    for (const id of shown.ids) {
      const p = await page.evaluate((x) => (window as unknown as Hook).gosleuth.nodePosition(x), id);
      expect(p!.x).toBeGreaterThanOrEqual(0);
      expect(p!.x).toBeLessThanOrEqual(shown.size.width);
      expect(p!.y).toBeGreaterThanOrEqual(0);
      expect(p!.y).toBeLessThanOrEqual(shown.size.height);
    }
    // A selection the filter keeps stays in view.
    await page.fill("#search", "enqueue");
    await page.press("#search", "Enter");
    await expect
      .poll(() => page.evaluate(() => (window as unknown as Hook).gosleuth.view().sel))
      .not.toBe(shown.sel);
    expectInside(await selectedOnScreen(page));
    // `state:chan` matches every channel class: those chips are on, the others off.
    const off = await page
      .locator(".legend-item.off")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
    const on = await page
      .locator(".legend-item[data-state]:not(.off)")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
    expect(on.sort()).toEqual(["chan-nil", "chan-receive", "chan-send"]);
    expect(off).toContain("select");
    await page.screenshot({ path: outputPath("r02-filter-chan.png") });
    await page.fill("#filter", "");
  });

  it("threw no page error", () => {
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)("failed loads", () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(null);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a bad ?src= shows the message and throws nothing", async () => {
    const { page, errors } = await open(browser, server, "?src=/no-such-dump");
    expect(await waitReady(page)).toBe("error");
    expect(await page.textContent("#load-error")).toMatch(/HTTP 404/);
    await page.waitForTimeout(800);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("pasted text that is no dump shows the message and throws nothing", async () => {
    const { page, errors } = await open(browser, server, "");
    await page.fill("#paste", "hello, this is not a dump");
    await page.click("#paste-btn");
    expect(await waitReady(page)).toBe("error");
    await page.waitForTimeout(800);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("a GOTRACEBACK=single panic (go1.26-crash-nil)", () => {
  let browser: Browser;
  let server: Served;
  const text = readFileSync(CRASH_NIL, "utf8");

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(CRASH_NIL);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("opens with the crash banner: the message, the crashed goroutine and its stack", async () => {
    const { page, errors } = await open(browser, server);
    expect(await waitReady(page)).toBe("ready");
    const lines = text.split("\n");
    expect(await page.textContent('[data-testid="crash-message"]')).toBe(`${lines[0]}\n${lines[1]}`);
    const id = /^goroutine (\d+) \[/m.exec(text)![1]!;
    expect(await page.textContent('[data-testid="crash-goroutine"]')).toBe(`#${id}`);
    // The stack is open, frames as the dump prints them (asked of the worker once the banner is drawn).
    await page.waitForSelector('[data-testid="crash-stack"] .frame-fn');
    const frames = await page.locator('[data-testid="crash-stack"] .frame-fn').allTextContents();
    expect(frames[0]).toBe("main.(*Account).OwnerName");
    expect(frames).toHaveLength(3);
    await page.screenshot({ path: outputPath("r03-crash-banner.png") });
    // The link opens the goroutine; its parent is "not in this dump", not "exited".
    await page.click('[data-testid="crash-goroutine"]');
    await expect.poll(() => page.textContent(".panel-title")).toContain(`goroutine ${id}`);
    const panel = await page.textContent("#panel");
    expect(panel).toContain("in goroutine 1 (not in this dump)");
    expect(panel).not.toContain("exited");
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("a SIGQUIT dump (go1.26-spawnfarm-sigquit-all)", () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(SIGQUIT);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("names in its banner the goroutine `stacks` names (the one that took the signal)", async () => {
    const dump = parseDump(readFileSync(SIGQUIT, "utf8"));
    const grouper = new StackGrouper();
    grouper.add(dump.goroutines);
    const named = buildReport("sigquit", grouper.result(), dump).crash?.goroutine;
    // goroutine 0 [idle]: the thread was in the scheduler; no goroutine was running.
    expect(named).toBe(0);
    const { page, errors } = await open(browser, server);
    expect(await waitReady(page)).toBe("ready");
    expect(await page.textContent('[data-testid="crash-message"]')).toBe(
      "SIGQUIT: quit\nPC=0x408b2e m=0 sigcode=0",
    );
    expect(await page.textContent('[data-testid="crash-goroutine"]')).toBe(`#${named}`);
    expect(await page.textContent('[data-testid="crash"]')).toContain("took the signal");
    // Asked of the worker once the banner is drawn.
    await page.waitForSelector('[data-testid="crash-stack"] .frame-fn');
    const frames = await page.locator('[data-testid="crash-stack"] .frame-fn').allTextContents();
    expect(frames[0]).toBe(dump.goroutines[0]!.frames[0]!.fn?.full);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium || !hasSharedCorpus)("a race report (panicparse-race-detector-report)", () => {
  let browser: Browser;
  let server: Served;
  const file = corpus("public/panicparse-race-detector-report.txt");

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(file);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lists the race with both accesses, their stacks and the goroutines' creation sites", async () => {
    const text = readFileSync(file, "utf8");
    const { page, errors } = await open(browser, server);
    expect(await waitReady(page)).toBe("ready");
    expect(await page.isVisible('[data-testid="races"]')).toBe(true);
    expect(await page.textContent("#dump-summary")).toBe("race · 1 data race");
    const titles = await page.locator('[data-testid="race-access"] b').allTextContents();
    const read = /^Read at (0x[0-9a-f]+) by goroutine (\d+):/m.exec(text)!;
    const write = /^Previous write at (0x[0-9a-f]+) by goroutine (\d+):/m.exec(text)!;
    expect(titles).toEqual([
      `Read at ${read[1]} by goroutine ${read[2]}`,
      `Previous write at ${write[1]} by goroutine ${write[2]}`,
    ]);
    const stacks = page.locator('[data-testid="race-access"]');
    expect(await stacks.nth(0).locator(".frame-fn").first().textContent()).toBe("main.panicDoRaceRead");
    expect(await stacks.nth(1).locator(".frame-fn").first().textContent()).toBe("main.panicDoRaceWrite");
    expect(await page.locator(".race-goroutine summary").allTextContents()).toEqual([
      `Goroutine ${read[2]} (running) created at`,
      `Goroutine ${write[2]} (running) created at`,
    ]);
    await page.screenshot({ path: outputPath("r04-race.png") });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("debug=1 input (caddy-2.11-t0-debug1)", () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(fixture("generated/servers/caddy-2.11-t0-debug1.txt"));
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("gives the list the graph's room and opens a group in the panel", async () => {
    const { page, errors } = await open(browser, server);
    expect(await waitReady(page)).toBe("ready");
    expect(await page.isVisible("#graph-pane")).toBe(false);
    const list = await page.locator("#list-pane").boundingBox();
    expect(list!.width).toBeGreaterThan(1500 * 0.6);
    await page.click(".list-row >> nth=0");
    await page.waitForSelector("#panel:not([hidden])");
    expect(await page.textContent(".panel-title")).toBe("1,500 goroutines");
    expect(await page.locator('[data-testid="stack"] li').count()).toBeGreaterThan(3);
    await page.screenshot({ path: outputPath("r05-debug1.png") });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("labels on a tree with many siblings (go1.26-spawnfarm-stack)", () => {
  let browser: Browser;
  let server: Served;
  let page: Page;

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(SPAWNFARM);
    browser = await launch();
    ({ page } = await open(browser, server));
    expect(await waitReady(page)).toBe("ready");
    // The label boxes are those of the last frame drawn: the tree's first frame comes after "ready".
    await waitSettled(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("draws no two labels over each other, at fit and zoomed out", async () => {
    const boxes = await page.evaluate(() => (window as unknown as Hook).gosleuth.labelBoxes());
    // Most of the 34 nodes keep their label; the ones left out show theirs on hover.
    expect(boxes.length).toBeGreaterThan(15);
    expect(overlapping(boxes)).toEqual([]);
    // Zoomed out, siblings are a few pixels apart: fewer labels, still none on another.
    await zoomOut(page, 4);
    const out = await page.evaluate(() => (window as unknown as Hook).gosleuth.labelBoxes());
    expect(out.length).toBeGreaterThan(0);
    expect(overlapping(out)).toEqual([]);
    await page.screenshot({ path: outputPath("r06-labels-zoomed-out.png") });
  });

  it("shows a label the collision pass left out when the pointer is on its node", async () => {
    // Zoomed out, siblings are closer than a label's height: some labels are left out.
    await page.click("#fit-btn");
    await waitSettled(page);
    await zoomOut(page, 2);
    const boxes = await page.evaluate(() => (window as unknown as Hook).gosleuth.labelBoxes());
    const ids = await page.evaluate(() => (window as unknown as Hook).gosleuth.nodeIds());
    const positions = await page.evaluate(
      (xs) => xs.map((id) => ({ id, p: (window as unknown as Hook).gosleuth.nodePosition(id) })),
      ids,
    );
    // A node whose label box (right of it, on its centre line) is not among the drawn ones.
    const hidden = positions.find(
      ({ p }) => p && !boxes.some((b) => b.y0 <= p.y && p.y <= b.y1 && b.x0 > p.x && b.x0 - p.x < 30),
    );
    expect(hidden).toBeDefined();
    const pane = (await page.locator("#graph").boundingBox())!;
    const at = hidden!.p!;
    const region = { x: pane.x + at.x + 12, y: pane.y + at.y - 8, width: 120, height: 16 };
    const before = await page.screenshot({ clip: region });
    await page.mouse.move(pane.x + at.x, pane.y + at.y);
    // The hover layer draws the label (on its white box) where nothing was drawn before.
    await expect.poll(async () => (await page.screenshot({ clip: region })).equals(before)).toBe(false);
    await page.screenshot({ path: outputPath("r06b-hover-hidden-label.png") });
    await page.mouse.move(pane.x + 5, pane.y + 5);
  });

  it("exports the whole fitted tree as a PNG at least as big as the pane", async () => {
    await page.click("#fit-btn");
    const download = page.waitForEvent("download");
    await page.click("#png-btn");
    const file = outputPath("r07-export.png");
    await (await download).saveAs(file);
    const png = readFileSync(file);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const pane = await page.locator("#graph").boundingBox();
    expect(width).toBeGreaterThanOrEqual(Math.floor(pane!.width));
    expect(height).toBeGreaterThanOrEqual(Math.floor(pane!.height));
    // Nothing runs off the image: its edges are background, and the drawing is in it.
    const inked = async (rect?: { x: number; y: number; width: number; height: number }) =>
      (await pngQuery(page, [png], rect ? { op: "inked", rect } : { op: "inked" })).inked;
    const edges = {
      right: await inked({ x: width - 4, y: 0, width: 4, height }),
      bottom: await inked({ x: 0, y: height - 4, width, height: 4 }),
      all: await inked(),
    };
    // Every node's label is in the image, whole, and none on another.
    const drawn = await page.evaluate(() => (window as unknown as Hook).gosleuth.lastExport());
    const nodes = await page.evaluate(() => (window as unknown as Hook).gosleuth.nodeIds());
    expect(drawn).not.toBeNull();
    expect(drawn!.labels).toHaveLength(nodes.length);
    for (const b of drawn!.labels) {
      expect(b.x0).toBeGreaterThanOrEqual(0);
      expect(b.x1).toBeLessThanOrEqual(width);
      expect(b.y0).toBeGreaterThanOrEqual(0);
      expect(b.y1).toBeLessThanOrEqual(height);
    }
    expect(overlapping(drawn!.labels)).toEqual([]);
    expect(edges.right).toBe(0);
    expect(edges.bottom).toBe(0);
    expect(edges.all).toBeGreaterThan(1000);
  });
});
