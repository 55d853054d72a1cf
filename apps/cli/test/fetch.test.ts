// End-to-end: `gosleuth fetch` (and URL inputs) against real HTTP servers on loopback: snapshots, hangs, HTML, 500, refused.

import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const SNAPSHOTS = listFixtures("labeled/leakybank").filter((f) => f.endsWith("-debug2.txt"));
const INDEX = `<html><head><title>/debug/pprof/</title></head><body>
<table><thead><td>Count</td><td>Profile</td></thead>
<tr><td>2711</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>
<tr><td>12</td><td><a href='threadcreate?debug=1'>threadcreate</a></td></tr>
</table></body></html>`;

let server: Server;
let base = "";
let served = 0;
let lastHeaders: Record<string, string | string[] | undefined> = {};
// The time the /dated route claims to answer at; `fetch` gives the saved file this modification time.
const SERVER_DATE = "Wed, 01 Jul 2026 12:00:00 GMT";
const tmp = mkdtempSync(join(tmpdir(), "gosleuth-fetch-"));

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    lastHeaders = req.headers;
    const hop = /^\/redirect\/(\d+)$/.exec(url.pathname);
    if (hop) {
      const left = Number(hop[1]);
      res
        .writeHead(302, { location: left > 1 ? `/redirect/${left - 1}` : "/debug/pprof/goroutine?debug=2" })
        .end();
    } else if (url.pathname === "/dated") {
      res.writeHead(200, { date: SERVER_DATE, "content-type": "text/plain" });
      res.end(readFileSync(fixture(SNAPSHOTS[0]!)));
    } else if (url.pathname === "/undated") {
      res.sendDate = false;
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(readFileSync(fixture(SNAPSHOTS[0]!)));
    } else if (url.pathname === "/forbidden") {
      // Caddy's admin endpoint, reached by a name not in its origins, answers like this.
      const host = String(req.headers.host);
      if (host === "localhost:2019") res.writeHead(200).end(readFileSync(fixture(SNAPSHOTS[0]!)));
      else
        res
          .writeHead(403, { "content-type": "application/json" })
          .end(`{"error":"host not allowed: ${host}"}\n`);
    } else if (url.pathname === "/debug/pprof/goroutine") {
      // Serves the leakybank snapshots in sequence, like a live leaking process.
      const body = readFileSync(fixture(SNAPSHOTS[Math.min(served, SNAPSHOTS.length - 1)]!));
      served++;
      const gz = /gzip/.test(String(req.headers["accept-encoding"]));
      res.writeHead(200, {
        "content-type": "text/plain; charset=utf-8",
        ...(gz ? { "content-encoding": "gzip" } : {}),
      });
      res.end(gz ? gzipSync(body) : body);
    } else if (url.pathname === "/debug/pprof/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(INDEX);
    } else if (url.pathname === "/html") {
      res
        .writeHead(200, { "content-type": "text/html" })
        .end("<!doctype html><html><body>Login</body></html>");
    } else if (url.pathname === "/500") {
      // A gzip error body (we ask for gzip): its text, not its bytes, goes into the message.
      res.writeHead(500, { "content-type": "text/plain", "content-encoding": "gzip" }).end(gzipSync("boom"));
    } else if (url.pathname === "/stall") {
      // Starts a dump, then stops sending without closing: the deadline covers the body too.
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(readFileSync(fixture(SNAPSHOTS[0]!)).subarray(0, 8192));
    } else if (url.pathname === "/badgzip") {
      res
        .writeHead(200, { "content-encoding": "gzip" })
        .end(gzipSync("goroutine 1 [running]:\n").subarray(0, 12));
    } else if (url.pathname === "/hang") {
      // never answers
    } else if (url.pathname === "/text") {
      res.writeHead(200, { "content-type": "text/plain" }).end("this is not a dump\n");
    } else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("gosleuth fetch", () => {
  it("downloads a dump (gzip transfer) and checks that it is one", async () => {
    const out = join(tmp, "one.txt");
    const r = await run(["fetch", `${base}/debug/pprof/goroutine?debug=2`, "--out", out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^goroutine \d+ \[/);
    expect(r.stderr).toContain("debug2");
  });

  it("sends only its own headers: nothing a browser adds, which Caddy's admin endpoint refuses", async () => {
    const r = await run(["fetch", `${base}/debug/pprof/goroutine?debug=2`, "--out", join(tmp, "h.txt")]);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(lastHeaders).sort()).toEqual([
      "accept",
      "accept-encoding",
      "connection",
      "host",
      "user-agent",
    ]);
    expect(lastHeaders.host).toBe(new URL(base).host);
    expect(lastHeaders["user-agent"]).toBe("gosleuth");
  });

  it("--host-header replaces the Host header; a 403 says what to try", async () => {
    const url = `${base}/forbidden`;
    const refused = await run(["fetch", url, "--out", join(tmp, "f.txt")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("HTTP 403 Forbidden: host not allowed: 127.0.0.1:");
    expect(refused.stderr).toContain(`--host-header localhost:${new URL(base).port}`);
    const ok = await run(["fetch", url, "--host-header", "localhost:2019", "--out", join(tmp, "f.txt")]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(lastHeaders.host).toBe("localhost:2019");
    const wrong = await run(["fetch", url, "--host-header", "example.com", "--out", join(tmp, "f.txt")]);
    expect(wrong.stderr).toContain("the server refused Host example.com");
  });

  it("follows redirects up to a limit", async () => {
    const ok = await run(["fetch", `${base}/redirect/3`, "--out", join(tmp, "r.txt")]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(tmp, "r.txt"), "utf8")).toMatch(/^goroutine \d+ \[/);
    const loop = await run(["fetch", `${base}/redirect/9`, "--out", join(tmp, "r.txt")]);
    expect(loop.code).toBe(2);
    expect(loop.stderr).toContain("more than 5 redirects");
  });

  it("gives the saved file the time the server answered (its Date header)", async () => {
    const out = join(tmp, "dated.txt");
    const r = await run(["fetch", `${base}/dated`, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mtime.toISOString()).toBe(new Date(SERVER_DATE).toISOString());
    // Without a Date header: when the answer arrived.
    const undated = join(tmp, "undated.txt");
    const before = Date.now();
    const u = await run(["fetch", `${base}/undated`, "--out", undated]);
    expect(u.code, u.stderr).toBe(0);
    expect(statSync(undated).mtimeMs).toBeGreaterThanOrEqual(before - 1);
    expect(statSync(undated).mtimeMs).toBeLessThanOrEqual(Date.now());
  });

  it("takes a series with --every/--count into numbered files", async () => {
    const r = await run([
      "fetch",
      `${base}/debug/pprof/goroutine?debug=2`,
      "--every",
      "100ms",
      "--count",
      "3",
      "--out",
      join(tmp, "snap-{n}.txt"),
    ]);
    expect(r.code).toBe(0);
    for (const n of [1, 2, 3]) expect(existsSync(join(tmp, `snap-${n}.txt`))).toBe(true);
  });

  it("reads the counts of the pprof index page", async () => {
    const r = await run(["fetch", `${base}/debug/pprof/`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/goroutine\s+2,711/);
  });

  it("summary reads a URL directly", async () => {
    const r = await run(["summary", `${base}/debug/pprof/goroutine?debug=2`, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).goroutines).toBeGreaterThan(1000);
  });

  it("leaks --every polls the live endpoint and reports the planted leaks as growing", async () => {
    served = 0;
    const r = await run([
      "leaks",
      `${base}/debug/pprof/goroutine?debug=2`,
      "--every",
      "200ms",
      "--count",
      "4",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("snapshot 4/4");
    const report = JSON.parse(r.stdout);
    expect(report.input.snapshots).toBe(4);
    const enqueue = report.findings.find(
      (f: { startFunction: string }) => f.startFunction === "main.(*Exporter).enqueue",
    );
    expect(enqueue.growth.verdict).toBe("growing");
    expect(enqueue.growth.counts).toHaveLength(4);
    expect(enqueue.severity).toBe("high");
  });

  it("watch redraws the top groups each interval and ends with a report", async () => {
    served = 0;
    const r = await run([
      "watch",
      `${base}/debug/pprof/goroutine?debug=2`,
      "--every",
      "200ms",
      "--count",
      "2",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("snapshot 2/2");
    expect(r.stdout).toContain("main.(*Exporter).enqueue");
    expect(r.stdout).toMatch(/gosleuth leaks: .* across 2 snapshots/);
  });

  it("every failure is one clear line with exit 2 and no stack trace", async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, "127.0.0.1", ok));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    for (const [url, msg, extra] of [
      [`${base}/html`, "HTML page", []],
      [`${base}/500`, "HTTP 500 Internal Server Error: boom", []],
      [`${base}/hang`, "no answer within 0.5s", ["--timeout", "500ms"]],
      [`${base}/stall`, "the transfer did not finish within 0.5s", ["--timeout", "500ms"]],
      [`${base}/badgzip`, "the gzip transfer is damaged", []],
      [`${base}/text`, "not a goroutine dump", []],
      [`http://127.0.0.1:${closedPort}/debug/pprof/goroutine?debug=2`, "connection refused", []],
      [`${base}/debug/pprof/goroutine?debug=2`, "--max-bytes cap", ["--max-bytes", "1kb"]],
    ] as const) {
      const r = await run(["fetch", url, ...extra, "--out", join(tmp, "err.txt")]);
      expect(r.code, `${url}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(msg);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
