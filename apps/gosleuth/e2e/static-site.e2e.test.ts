// The viewer as a static site: `apps/viewer/dist` hosted by a plain file server at a sub-path (no
// `gosleuth view`, no /dump, no security headers from the server), a dump opened from the file picker
// and one pasted: both are read in the page, and after the page has loaded it makes no request at all.
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fixture } from "@gosleuth/fixtures";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The viewer's Chromium launcher: Debian's chromium with the project's flags.
import { CHROMIUM_PATH, launch } from "../../viewer/e2e/chromium.mjs";
import { ROOT } from "../test/global-setup.ts";

const SITE = resolve(ROOT, "apps", "viewer", "dist");
const PREFIX = "/tools/gosleuth/";
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

let server: Server;
let origin = "";
const served: string[] = [];
let browser: Browser;

beforeAll(async () => {
  // A file server as a static host has one: files under a prefix, nothing else.
  server = createServer((req, res) => {
    // A malformed escape (`/%`, a cut UTF-8 sequence) is a bad request, as a real file server answers it.
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      served.push(req.url ?? "");
      res.writeHead(400).end();
      return;
    }
    served.push(path);
    const rel = path.startsWith(PREFIX) ? normalize(path.slice(PREFIX.length) || "index.html") : null;
    const file = rel === null ? "" : resolve(SITE, rel);
    if (!file.startsWith(SITE + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (existsSync(CHROMIUM_PATH)) browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((ok) => server.close(() => ok()));
});

describe.skipIf(!existsSync(CHROMIUM_PATH) || !existsSync(join(SITE, "index.html")))(
  "the viewer as a static site",
  () => {
    it("opens a dump from the file picker and a pasted one, and asks nothing of any server after loading", async () => {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(origin + PREFIX);
      await page.waitForLoadState("networkidle");
      const loaded = requests.length;
      expect(requests.every((u) => u.startsWith(origin + PREFIX) || u.startsWith("data:"))).toBe(true);

      const chooser = page.waitForEvent("filechooser");
      await page.click("#landing-open");
      await (await chooser).setFiles(fixture("generated/servers/caddy-2.11-t0-debug2.txt"));
      await page.waitForFunction(() => ["ready", "error"].includes(document.body.dataset.state ?? ""), null, {
        timeout: 120_000,
      });
      expect(await page.evaluate(() => document.body.dataset.state)).toBe("ready");
      expect(await page.textContent("#dump-summary")).toBe("debug=2 · 2,711 goroutines");
      const picked = requests.slice(loaded);

      // A fresh page for the paste: the landing's text box.
      await page.goto(origin + PREFIX);
      await page.waitForLoadState("networkidle");
      const reloaded = requests.length;
      await page.fill(
        "#paste",
        readFileSync(fixture("generated/go-versions/go1.23-crash-deadlock.txt"), "utf8"),
      );
      await page.click("#paste-btn");
      await page.waitForFunction(() => ["ready", "error"].includes(document.body.dataset.state ?? ""), null, {
        timeout: 60_000,
      });
      expect(await page.evaluate(() => document.body.dataset.state)).toBe("ready");
      expect(await page.textContent("#dump-summary")).toMatch(/4 goroutines/);
      const pasted = requests.slice(reloaded);

      // Requests made while reading each dump: none but the blob: worker the page may start itself.
      const during = [...picked, ...pasted].filter((u) => !u.startsWith("blob:"));
      expect(during).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(origin) && !/^(data|blob):/.test(u))).toEqual([]);
      expect(served.some((p) => p === "/dump")).toBe(false);
      expect(errors).toEqual([]);
      await page.close();
    });
  },
);

describe("the static host in this test", () => {
  it("answers a malformed path with 400 and keeps serving", async () => {
    const status = (path: string) =>
      new Promise<number>((ok, fail) => {
        // node:http sends the path as given (fetch would normalise it).
        const req = request(`${origin}${path}`, { path }, (res) => {
          res.resume();
          ok(res.statusCode ?? 0);
        });
        req.on("error", fail);
        req.end();
      });
    expect(await status("/%")).toBe(400);
    expect(await status(`${PREFIX}%E0%A4%A`)).toBe(400);
    expect(await status(`${PREFIX}nothing-here.js`)).toBe(404);
  });
});
