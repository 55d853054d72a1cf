// Browser tests of the viewer in real headless Chromium: load a real dump the way `gosleuth view` serves it and use the page.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fixture, hasSharedCorpus, LARGE_DUMP_GZ } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { SEVERITIES, type Severity } from "@gosleuth/query";
import { buildAggregateTree } from "@gosleuth/spawn-graph";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataset } from "../src/build-dataset.ts";
import {
  buildViewer,
  clickNode,
  drawnShare,
  hasChromium,
  launch,
  outputPath,
  paneColors,
  type Served,
  serveViewer,
  VIEWER_DIR,
  waitReady,
  waitSettled,
} from "./browser.ts";

const DUMP = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
const text = readFileSync(DUMP, "utf8");
/** Counted from the text with a regex, independently of the parser. */
const headers = [...text.matchAll(/^goroutine (\d+) \[([^\],]*)/gm)];
const fmt = (n: number) => n.toLocaleString("en-US");

type Hook = {
  gosleuth: {
    nodeIds(): string[];
    aggNodeCount(): number;
    nodePosition(id: string): { x: number; y: number } | null;
    focus(id: string, ratio?: number): void;
    framesDrawn(): number;
  };
};
const nodeIds = (page: Page) => page.evaluate(() => (window as unknown as Hook).gosleuth.nodeIds());

describe.skipIf(!hasChromium)("viewer in Chromium (caddy-2.11-t0-debug2)", () => {
  let browser: Browser;
  let server: Served;
  let page: Page;
  const errors: string[] = [];
  let expectedNodes: { id: string; function: string; count: number; parent: string | null }[] = [];

  beforeAll(async () => {
    await buildViewer();
    const built = await buildDataset(new Blob([text]).stream());
    expectedNodes = built ? [...built.dataset.nodes] : [];
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

  it("loads the dump, shows the exact total and draws the tree", async () => {
    expect(await waitReady(page)).toBe("ready");
    await expect
      .poll(() => page.textContent("#dump-summary"))
      .toBe(`debug=2 · ${fmt(headers.length)} goroutines`);
    expect(headers.length).toBe(2711);
    // The tree's first frame is drawn (and shown, when staged) after the page says it is ready.
    await waitSettled(page);
    await page.screenshot({ path: outputPath("01-loaded.png") });
    const share = await drawnShare(page);
    // Nodes, edges and labels cover a few percent of the pane; a blank canvas is 0.
    expect(share).toBeGreaterThan(0.005);
  });

  it("draws one node per aggregated tree node", async () => {
    expect(expectedNodes.length).toBeGreaterThan(5);
    // The viewer draws @gosleuth/spawn-graph's tree of this dump, as the package builds it in Node.
    const pkg = buildAggregateTree(parseDump(text).goroutines);
    expect(expectedNodes.map((n) => n.id).sort()).toEqual(pkg.nodes.map((n) => n.id).sort());
    const drawn = await nodeIds(page);
    expect(drawn.sort()).toEqual(expectedNodes.map((n) => n.id).sort());
    // The counts are written once the load's filter has answered, after the page says it is ready.
    await expect
      .poll(() => page.getAttribute("#node-count", "data-nodes"))
      .toBe(String(expectedNodes.length));
  });

  it("after dragging the stage, a click picks the node now under the pointer", async () => {
    // While the camera moves, sigma's picking pass (what a click reads) is not drawn; the frame
    // after the drag must draw it again, or this click would read the nodes where they were.
    const [, second] = [...expectedNodes].sort((a, b) => b.count - a.count);
    await page.click("#fit-btn");
    await waitSettled(page);
    const pane = (await page.locator("#graph").boundingBox())!;
    const start = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };
    const before = await page.evaluate(
      (id) => (window as unknown as Hook).gosleuth.nodePosition(id),
      second!.id,
    );
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x - 160, start.y - 90, { steps: 12 });
    await page.mouse.up();
    // Sigma carries the camera on a little after a quick drag (inertia), then draws a still frame.
    await waitSettled(page);
    const after = await page.evaluate(
      (id) => (window as unknown as Hook).gosleuth.nodePosition(id),
      second!.id,
    );
    expect(Math.hypot(after!.x - before!.x, after!.y - before!.y)).toBeGreaterThan(100);
    await clickNode(page, second!.id);
    await expect.poll(() => page.getAttribute("#panel", "data-node")).toBe(second!.id);
  });

  it("while the stage is dragged, the picture follows the pointer, and a still frame ends the drag", async () => {
    // Sigma draws few of the frames of a drag; the others move the last one drawn. What the user
    // sees must be the same: the biggest node's disc is where the pointer took it.
    const [big] = [...expectedNodes].sort((a, b) => b.count - a.count);
    await page.click("#fit-btn");
    await waitSettled(page);
    const pane = (await page.locator("#graph").boundingBox())!;
    const at = (await page.evaluate((id) => (window as unknown as Hook).gosleuth.nodePosition(id), big!.id))!;
    const [disc] = await paneColors(page, [at]);
    expect(Math.min(...disc!)).toBeLessThan(230); // the disc is drawn there, not the white background
    const start = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };
    const move = { x: 61, y: 37 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    const drawn0 = await page.evaluate(() => (window as unknown as Hook).gosleuth.framesDrawn());
    for (let i = 1; i <= 8; i++) {
      await page.mouse.move(start.x + (move.x * i) / 8, start.y + (move.y * i) / 8, { steps: 1 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    }
    await page.waitForTimeout(300);
    const [moved] = await paneColors(page, [{ x: at.x + move.x, y: at.y + move.y }]);
    const drawn = (await page.evaluate(() => (window as unknown as Hook).gosleuth.framesDrawn())) - drawn0;
    await page.mouse.up();
    for (let k = 0; k < 3; k++) expect(Math.abs(moved![k]! - disc![k]!)).toBeLessThanOrEqual(12);
    // The drag's first frame is drawn; the rest, within 96 px of it, are that frame moved.
    expect(drawn).toBeLessThanOrEqual(2);
    // The copies of sigma's WebGL layers lie where those layers were: under the labels and the hover layer.
    const order = await page.evaluate(() =>
      [...document.querySelector(".sigma-stage")!.children].map((c) => c.className),
    );
    expect(order.indexOf("sigma-picture")).toBeLessThan(order.indexOf("sigma-labels"));
    expect(order.indexOf("sigma-labels")).toBeLessThan(order.indexOf("sigma-hovers"));
    // The drag's end draws a real frame: the stage is no longer moved.
    await expect
      .poll(() =>
        page.evaluate(() => (document.querySelector(".sigma-stage") as HTMLElement).style.transform),
      )
      .toBe("");
  });

  it("searches a function, zooms to it and opens the panel", async () => {
    // The panel is open on the node the test before clicked: closed first, so that the panel shown
    // below is the search's (the search selects its hit once the worker has answered).
    await page.keyboard.press("Escape");
    expect(await page.isHidden("#panel")).toBe(true);
    await page.fill("#search", "persistConn");
    await page.press("#search", "Enter");
    await page.waitForSelector("#panel:not([hidden])");
    const fn = await page.textContent('[data-testid="node-function"]');
    expect(fn).toContain("persistConn");
    await waitSettled(page);
    await page.screenshot({ path: outputPath("02-search.png") });
  });

  it("clicks a node and shows its stack with file:line", async () => {
    const big = [...expectedNodes].sort((a, b) => b.count - a.count)[0]!;
    await page.click("#fit-btn");
    await clickNode(page, big.id);
    await expect.poll(() => page.getAttribute("#panel", "data-node")).toBe(big.id);
    const stack = await page.locator('[data-testid="stack"] li').allTextContents();
    expect(stack.length).toBeGreaterThan(2);
    // Every frame shows its file:line, and the frames are the dump's.
    for (const f of stack.filter((s) => !s.includes("elided"))) expect(f).toMatch(/:\d+$/);
    const files = await page.locator('[data-testid="stack"] .frame-file').allTextContents();
    for (const f of files) expect(text.includes(`\t${f} +0x`) || text.includes(`\t${f}\n`), f).toBe(true);
    expect(await page.textContent('[data-testid="node-function"]')).toBe(big.function);
    const path = await page.locator('[data-testid="path"] li').count();
    expect(path).toBeGreaterThan(1);
    await page.screenshot({ path: outputPath("03-node-panel.png") });
  });

  it("filters by state class from the legend and the counts change", async () => {
    const io = headers.filter((m) => m[2] === "IO wait").length;
    const shownBefore = Number(await page.getAttribute("#node-count", "data-shown"));
    await page.click('.legend-item[data-state="io-wait"]');
    await expect
      .poll(() => page.textContent("#match-count"))
      .toBe(`${fmt(io)} of ${fmt(headers.length)} goroutines match`);
    expect(await page.inputValue("#filter")).toBe("state:io-wait");
    const shownAfter = Number(await page.getAttribute("#node-count", "data-shown"));
    expect(shownAfter).toBeLessThan(shownBefore);
    expect(page.url()).toContain("q=state%3Aio-wait");
    await page.screenshot({ path: outputPath("04-filter-io-wait.png") });
    // The same language typed by hand.
    await page.fill("#filter", "state:io-wait -fn:backgroundRead");
    const bg = [...text.split("\n\n")].filter(
      (b) => /^goroutine \d+ \[IO wait/.test(b) && b.includes("backgroundRead"),
    ).length;
    await expect
      .poll(() => page.textContent("#match-count"))
      .toBe(`${fmt(io - bg)} of ${fmt(headers.length)} goroutines match`);
    await page.fill("#filter", "");
    await expect.poll(() => page.textContent("#match-count")).toBe("");
  });

  it("marks @gosleuth/leaks' suspects on their nodes and filters by severity", async () => {
    const built = await buildDataset(new Blob([text]).stream());
    const findings = built!.dataset.findingViews;
    expect(findings.length).toBeGreaterThan(0);
    const f = findings[0]!;
    const nodeId = f.nodeIds[0]!;
    const node = expectedNodes.find((n) => n.id === nodeId)!;
    expect(await page.locator(`.legend-item[data-severity="${f.severity}"]`).count()).toBe(1);
    await page.click("#fit-btn");
    await clickNode(page, nodeId);
    await expect.poll(() => page.getAttribute("#panel", "data-node")).toBe(nodeId);
    expect(await page.textContent("#panel")).toContain(`Leak finding · ${f.severity}`);
    await page.selectOption("#severity-select", f.severity);
    // `severity:X` means X or worse; a node carries the worst severity of its findings.
    const rank = (x: string) => SEVERITIES.indexOf(x as Severity);
    const marked = new Set(
      findings.filter((x) => rank(x.severity) >= rank(f.severity)).flatMap((x) => x.nodeIds),
    );
    const expected = expectedNodes.filter((n) => marked.has(n.id)).reduce((s, n) => s + n.count, 0);
    expect(expected).toBeGreaterThanOrEqual(node.count);
    await expect
      .poll(() => page.textContent("#match-count"))
      .toBe(`${fmt(expected)} of ${fmt(headers.length)} goroutines match`);
    await page.screenshot({ path: outputPath("04b-leak-suspects.png") });
    await page.selectOption("#severity-select", "");
    await expect.poll(() => page.textContent("#match-count")).toBe("");
  });

  it("expands a group node into its goroutines and collapses it back", async () => {
    const target = expectedNodes.find((n) => n.function.includes("persistConn).readLoop"))!;
    expect(target).toBeDefined();
    const before = (await nodeIds(page)).length;
    await page.fill("#search", "readLoop");
    await page.press("#search", "Enter");
    await expect.poll(() => page.getAttribute("#panel", "data-node")).toBe(target.id);
    await page.click('[data-testid="expand-btn"]');
    await expect.poll(async () => (await nodeIds(page)).length).toBe(before + target.count);
    const ids = await nodeIds(page);
    expect(ids.filter((x) => x.startsWith("g:"))).toHaveLength(target.count);
    // The URL records the expansion once it is laid out, which is after its nodes are in the graph.
    await expect.poll(() => page.url()).toContain(`exp=${target.id}`);
    await waitSettled(page);
    await page.screenshot({ path: outputPath("05-expanded.png") });
    // A goroutine node opens that goroutine.
    const gnode = ids.find((x) => x.startsWith("g:"))!;
    // 300 siblings are a pixel apart at fit: zoom onto one before clicking it, as a user would.
    await page.evaluate((id) => (window as unknown as Hook).gosleuth.focus(id, 0.01), gnode);
    await clickNode(page, gnode);
    await expect.poll(() => page.getAttribute("#panel", "data-node")).toBe(gnode);
    expect(await page.textContent(".panel-title")).toContain(`goroutine ${gnode.slice(2)}`);
    await page.fill("#search", "readLoop");
    await page.press("#search", "Enter");
    await page.press("#search", "Enter");
    await expect.poll(() => page.getAttribute("#panel", "data-node")).toBe(target.id);
    await page.click('[data-testid="expand-btn"]');
    await expect.poll(async () => (await nodeIds(page)).length).toBe(before);
  });

  it("finds a goroutine by id and lists its ancestry up to the root", async () => {
    const ids = new Set(headers.map((m) => Number(m[1])));
    const parentOf = new Map<number, number>();
    for (const b of text.split("\n\n")) {
      const id = Number(/^goroutine (\d+)/.exec(b)?.[1]);
      const p = /created by \S+ in goroutine (\d+)/.exec(b);
      if (p) parentOf.set(id, Number(p[1]));
    }
    // A goroutine whose parent and grandparent are both in the dump.
    const child = [...parentOf.keys()].find(
      (c) => ids.has(parentOf.get(c)!) && ids.has(parentOf.get(parentOf.get(c)!) ?? -1),
    )!;
    expect(child).toBeDefined();
    const chain = [child];
    while (parentOf.has(chain.at(-1)!) && ids.has(parentOf.get(chain.at(-1)!)!))
      chain.push(parentOf.get(chain.at(-1)!)!);
    await page.fill("#search", String(child));
    await page.press("#search", "Enter");
    await expect.poll(() => page.textContent(".panel-title")).toContain(`goroutine ${child}`);
    const items = await page.locator('[data-testid="ancestry"] li').allTextContents();
    expect(items.map((t) => Number(/^#(\d+)/.exec(t)?.[1]))).toEqual(chain);
    await page.keyboard.press("Escape");
    expect(await page.isHidden("#panel")).toBe(true);
  });

  it("opens the group list's rows in the panel", async () => {
    // The dump's in-flight outbound calls are an incident, listed above the groups: click the first group.
    await page.click(".list-row[data-group] >> nth=0");
    await page.waitForSelector('[data-testid="stack"] li');
    expect(await page.locator(".list-row.selected").count()).toBe(1);
  });

  it("rendered no dump text as HTML and hit no CSP violation", async () => {
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(errors.filter((e) => /Content Security Policy|pageerror/.test(e))).toEqual([]);
  });
});

describe.skipIf(!hasChromium)("viewer loading paths", () => {
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

  it("opens a gzipped dump from the file picker", async () => {
    const gz = join(tmpdir(), `gosleuth-e2e-${process.pid}.txt.gz`);
    writeFileSync(gz, gzipSync(text));
    const page = await browser.newPage();
    await page.goto(server.url);
    const chooser = page.waitForEvent("filechooser");
    await page.click("#landing-open");
    await (await chooser).setFiles(gz);
    expect(await waitReady(page)).toBe("ready");
    expect(await page.textContent("#dump-summary")).toBe(`debug=2 · ${fmt(headers.length)} goroutines`);
    await page.close();
  });

  it("says clearly when pasted text is not a dump", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.fill("#paste", "<img src=x onerror=alert(1)> hello, this is not a dump");
    await page.click("#paste-btn");
    expect(await waitReady(page)).toBe("error");
    expect(await page.textContent("#load-error")).toMatch(/@gosleuth\/parser:/);
    expect(await page.locator("#landing img").count()).toBe(0);
    await page.close();
  });

  it("reads a pasted dump and renders its strings as text", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const dump = [
      "goroutine 1 [running]:",
      "main.main()",
      "\t/src/main.go:12 +0x1d",
      "this line is not part of any goroutine",
      "",
      "goroutine 7 [chan receive, 3 minutes]:",
      "main.<img src=x onerror=alert(1)>()",
      "\t/src/<b>bold</b>.go:40 +0x2a",
      "created by main.main in goroutine 1",
      "\t/src/main.go:10 +0x10",
      "",
    ].join("\n");
    await page.fill("#paste", dump);
    await page.click("#paste-btn");
    expect(await waitReady(page)).toBe("ready");
    expect(await page.textContent("#dump-summary")).toBe("debug=2 · 2 goroutines");
    // The parser's note about the stray line is shown with its line number.
    expect(await page.textContent("#notes")).toMatch(/line 4\b/);
    await page.fill("#search", "7");
    await page.press("#search", "Enter");
    await page.waitForSelector('[data-testid="stack"] li');
    expect(await page.textContent('[data-testid="stack"]')).toContain("main.<img src=x onerror=alert(1)>");
    expect(await page.locator("#panel img, #list img, #panel b:text('bold')").count()).toBe(0);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("viewer state in the URL", () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(DUMP);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("restores filter, layout, expansion and selection from a shared link", async () => {
    const built = await buildDataset(new Blob([text]).stream());
    const nodes = built ? [...built.dataset.nodes] : [];
    const target = nodes.find((n) => n.function.includes("persistConn).writeLoop"))!;
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const hash = new URLSearchParams({ q: "state:select", layout: "radial", sel: target.id, exp: target.id });
    await page.goto(`${server.url}/?src=/dump#${hash}`);
    expect(await waitReady(page)).toBe("ready");
    // `state:select` matches the raw state as a substring: `select` and `select (no cases)`.
    const sel = headers.filter((m) => m[2]!.includes("select")).length;
    await expect
      .poll(() => page.textContent("#match-count"))
      .toBe(`${fmt(sel)} of ${fmt(headers.length)} goroutines match`);
    expect(await page.inputValue("#layout-select")).toBe("radial");
    await expect.poll(() => page.getAttribute("#panel", "data-node")).toBe(target.id);
    await expect
      .poll(async () => (await nodeIds(page)).filter((x) => x.startsWith("g:")).length)
      .toBe(target.count);
    await waitSettled(page);
    await page.screenshot({ path: outputPath("06-shared-link.png") });
    await page.close();
  });
});

describe.skipIf(!hasChromium || !hasSharedCorpus)("viewer on the 216k dump", () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    await buildViewer();
    server = await serveViewer(LARGE_DUMP_GZ);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows progress while loading and can be cancelled", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?src=/dump`);
    await page.waitForSelector("#progress:not([hidden])");
    await expect
      .poll(() => page.textContent("#progress-text"), { timeout: 60_000 })
      .toMatch(/MB of \d+\.\d MB/);
    await page.click("#cancel-btn");
    await expect
      .poll(() => page.evaluate(() => document.body.dataset.state), { timeout: 60_000 })
      .toBe("empty");
    expect(await page.isVisible("#landing")).toBe(true);
    await page.close();
  });
});

const CLI = join(VIEWER_DIR, "..", "cli", "dist", "gosleuth.mjs");

describe.skipIf(!hasChromium || !existsSync(CLI))("viewer served by `gosleuth view`", () => {
  let browser: Browser;
  let cli: ChildProcess;
  let url = "";

  beforeAll(async () => {
    await buildViewer();
    cli = spawn(process.execPath, [CLI, "view", DUMP, "--no-open", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    url = await new Promise<string>((ok, fail) => {
      let out = "";
      const timer = setTimeout(() => fail(new Error(`gosleuth view printed no URL: ${out}`)), 30_000);
      cli.stdout?.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /gosleuth view: (http:\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      });
      cli.once("exit", (code) => fail(new Error(`gosleuth view exited with ${code}: ${out}`)));
    });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    cli?.kill("SIGTERM");
  });

  it("loads the dump it serves: exact total, drawn canvas, one node per tree node", async () => {
    const built = await buildDataset(new Blob([text]).stream());
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    expect(await waitReady(page)).toBe("ready");
    expect(await page.textContent("#dump-summary")).toBe(`debug=2 · ${fmt(headers.length)} goroutines`);
    expect(await page.textContent("#dump-name")).toBe("caddy-2.11-t0-debug2.txt");
    // Written once the load's filter has answered, after the page says it is ready.
    await expect
      .poll(() => page.getAttribute("#node-count", "data-nodes"))
      .toBe(String(built!.dataset.nodes.length));
    await waitSettled(page);
    expect(await drawnShare(page)).toBeGreaterThan(0.005);
    await page.screenshot({ path: outputPath("07-gosleuth-view.png") });
    expect(errors).toEqual([]);
    await page.close();
  });
});
