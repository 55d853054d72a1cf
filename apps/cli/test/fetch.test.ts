// End-to-end: `gosleuth fetch` (and URL inputs) against real HTTP servers on loopback: snapshots, hangs, HTML, 500, refused.

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
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
const tmp = mkdtempSync(join(tmpdir(), "gosleuth-fetch-"));

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/debug/pprof/goroutine") {
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
      res.writeHead(500, { "content-type": "text/plain" }).end("boom");
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
      [`${base}/500`, "HTTP 500", []],
      [`${base}/hang`, "no answer within 0.5s", ["--timeout", "500ms"]],
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
