// End-to-end: `gosleuth view --no-open` serves the built viewer and the dump on loopback only, refusing what a
// hostile page or a rebound DNS name could send, and surviving any request.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { resolve } from "node:path";
import { fixture } from "@gosleuth/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, openViewer } from "./browser.ts";
import { CLI } from "./helpers.ts";

const viewerBuilt = existsSync(resolve(CLI, "../../../viewer/dist/index.html"));
const DUMP = fixture("generated/servers/caddy-2.11-idle-debug2.txt");

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with exactly this path (no normalising, like `curl --path-as-is`) and these headers. */
function raw(base: URL, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((ok, fail) => {
    const req = request({ host: base.hostname, port: base.port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", fail);
    req.end();
  });
}

// In CI the viewer is always built first (turbo: test depends on ^build), so this never skips there.
describe.skipIf(!viewerBuilt && !process.env.CI)("gosleuth view", () => {
  let child: ChildProcess;
  let page: URL;
  let dumpPath = "";
  let exited = false;

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, "view", DUMP, "--no-open"], { stdio: ["ignore", "pipe", "pipe"] });
    child.on("exit", () => {
      exited = true;
    });
    const url = await new Promise<string>((ok, fail) => {
      let out = "";
      child.stdout?.setEncoding("utf8").on("data", (d) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?src=\/dump\/[A-Za-z0-9_-]{22}\b/.exec(out);
        if (m) ok(m[0]);
      });
      child.on("exit", (c) => fail(new Error(`view exited with ${c}`)));
    });
    page = new URL(url);
    dumpPath = page.searchParams.get("src") ?? "";
  });

  afterAll(() => {
    child.kill("SIGTERM");
  });

  it("prints a loopback URL with a token, serves the page with a CSP, and the dump at that path", async () => {
    const res = await fetch(page);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain("<html");
    // What the viewer's worker sends for `?src=`: a same-origin fetch.
    const body = await raw(page, dumpPath, { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" });
    expect(body.status).toBe(200);
    expect(body.body.equals(readFileSync(DUMP))).toBe(true);
    expect(decodeURIComponent(String(body.headers["x-gosleuth-filename"]))).toBe(
      "caddy-2.11-idle-debug2.txt",
    );
    const traversal = await raw(page, "/../../../../etc/passwd");
    expect(traversal.status).toBe(404);
    const encoded = await raw(page, "/..%2f..%2f..%2f..%2fetc%2fpasswd");
    expect(encoded.status).toBe(404);
  });

  it("answers malformed request targets with 400 and keeps serving", async () => {
    for (const path of ["/%", "/%E0%A4%A", "/%zz", "/dump/%", "/a%00b"]) {
      const r = await raw(page, path);
      expect(r.status, path).toBe(400);
    }
    const after = await raw(page, "/");
    expect(after.status).toBe(200);
    expect(exited).toBe(false);
  });

  it("answers only the loopback names with its port (DNS rebinding)", async () => {
    for (const host of [
      `attacker.example:${page.port}`,
      "127.0.0.1",
      `127.0.0.1:${Number(page.port) + 1}`,
      "localhost",
    ]) {
      const r = await raw(page, dumpPath, { host });
      expect(r.status, host).toBe(403);
      expect(r.body.toString()).not.toContain("goroutine");
    }
    for (const host of [
      `localhost:${page.port}`,
      `LOCALHOST:${page.port}`,
      `127.0.0.1:${page.port}`,
      `[::1]:${page.port}`,
    ]) {
      expect((await raw(page, dumpPath, { host })).status, host).toBe(200);
    }
  });

  it("refuses cross-site requests for the dump, and still opens the page from a link", async () => {
    const crossSite: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "http://attacker.example" },
      { origin: `http://localhost:${Number(page.port) + 1}` },
      { origin: "null" },
    ];
    for (const headers of crossSite) {
      const r = await raw(page, dumpPath, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.body.toString()).not.toContain("goroutine");
    }
    expect((await raw(page, dumpPath, { origin: `http://127.0.0.1:${page.port}` })).status).toBe(200);
    expect((await raw(page, dumpPath, { "sec-fetch-site": "none" })).status).toBe(200);
    const fromLink = await raw(page, "/", { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" });
    expect(fromLink.status).toBe(200);
  });

  it("serves the dump only with this run's token", async () => {
    const token = dumpPath.slice("/dump/".length);
    const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const path of ["/dump", "/dump/", `/dump/${wrong}`, `/dump/${token}x`, `/dump/${token.slice(1)}`]) {
      const r = await raw(page, path);
      expect(r.status, path).toBe(403);
      expect(r.body.toString()).not.toContain("goroutine");
    }
    expect((await raw(page, dumpPath)).status).toBe(200);
  });

  it.skipIf(!hasChromium)("the viewer page opened at the printed address reads the dump", async () => {
    const shown = await openViewer(page.href);
    expect(shown.state).toBe("ready");
    expect(shown.errors).toEqual([]);
    expect(shown.text).toContain("caddy-2.11-idle-debug2.txt");
  });

  it("a second run gets another token", async () => {
    const other = spawn(process.execPath, [CLI, "view", DUMP, "--no-open"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const src = await new Promise<string>((ok) => {
        let out = "";
        other.stdout?.setEncoding("utf8").on("data", (d) => {
          out += d;
          const m = /\?src=(\/dump\/[A-Za-z0-9_-]+)/.exec(out);
          if (m) ok(m[1]!);
        });
      });
      expect(src).not.toBe(dumpPath);
    } finally {
      other.kill("SIGTERM");
    }
  });
});
