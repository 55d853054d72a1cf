// End-to-end against a real Caddy (Debian's package): its admin endpoint serves net/http/pprof and refuses
// requests that name a host outside its "origins". Skips where caddy is absent. (Newer Caddy releases also
// refuse browser-shaped requests, `Sec-Fetch-Mode: cors`; Debian's 2.6.2 does not, so fetch.test.ts checks
// that gosleuth sends no such header.)
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const CADDY = process.env.CADDY_PATH ?? "/usr/bin/caddy";
const hasCaddy = existsSync(CADDY);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => {
      c.destroy();
      ok(true);
    });
    c.once("error", () => ok(false));
  });
}

describe.skipIf(!hasCaddy)("gosleuth against a real Caddy admin endpoint", () => {
  const tmp = mkdtempSync(join(tmpdir(), "gosleuth-caddy-"));
  let caddy: ChildProcess | undefined;
  let port = 0;
  let log = "";
  // Reached by the name its origins list, as on the machine that runs it.
  let base = "";

  beforeAll(async () => {
    port = await freePort();
    base = `http://localhost:${port}/debug/pprof`;
    const config = join(tmp, "caddy.json");
    // As deployed: the admin endpoint on loopback, answering only the name it is reached by. enforce_origin is
    // Caddy's default (off): it is meant for browsers, and with it on Caddy refuses any request without Origin.
    writeFileSync(
      config,
      JSON.stringify({
        admin: { listen: `127.0.0.1:${port}`, origins: [`localhost:${port}`], enforce_origin: false },
      }),
    );
    caddy = spawn(CADDY, ["run", "--config", config], {
      env: { ...process.env, HOME: tmp, XDG_DATA_HOME: tmp, XDG_CONFIG_HOME: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    caddy.stdout?.on("data", (d) => (log += d));
    caddy.stderr?.on("data", (d) => (log += d));
    const deadline = Date.now() + 15_000;
    while (!(await canConnect(port))) {
      if (Date.now() > deadline || caddy.exitCode !== null) throw new Error(`caddy did not start:\n${log}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
  });

  afterAll(async () => {
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((ok) => caddy?.once("exit", ok));
      caddy.kill("SIGTERM");
      await exited;
    }
  });

  it("fetch reads the index page's counts", async () => {
    const r = await run(["fetch", `${base}/`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/goroutine\s+\d+/);
  });

  it("fetch saves debug=0, 1 and 2, each recognised, each file timed by the response", async () => {
    for (const [debug, format] of [
      ["0", "debug0"],
      ["1", "debug1"],
      ["2", "debug2"],
    ] as const) {
      const out = join(tmp, `caddy-debug${debug}.txt`);
      const before = Date.now();
      const r = await run(["fetch", `${base}/goroutine?debug=${debug}`, "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(format);
      // Caddy's Date header has whole seconds: the file's time is that second.
      const mtime = statSync(out).mtimeMs;
      expect(mtime % 1000).toBe(0);
      expect(mtime).toBeGreaterThan(before - 2000);
      expect(mtime).toBeLessThanOrEqual(Date.now());
    }
    expect(readFileSync(join(tmp, "caddy-debug2.txt"), "utf8")).toMatch(/^goroutine \d+ \[/);
    const s = await run(["summary", join(tmp, "caddy-debug2.txt"), "--json"]);
    expect(JSON.parse(s.stdout).goroutines).toBeGreaterThan(0);
  });

  it("leaks --every polls it", async () => {
    const r = await run([
      "leaks",
      `${base}/goroutine?debug=2`,
      "--every",
      "200ms",
      "--count",
      "3",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("snapshot 3/3");
    expect(JSON.parse(r.stdout).input.snapshots).toBe(3);
  });

  it("watch draws it and ends with the report", async () => {
    const r = await run(["watch", `${base}/goroutine?debug=2`, "--every", "200ms", "--count", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("snapshot 2/2");
    expect(r.stdout).toMatch(/gosleuth leaks: .* across 2 snapshots/);
  });

  it("through another name: 403 with the fix in the message, then --host-header gets the dump", async () => {
    const other = `http://127.0.0.1:${port}/debug/pprof/goroutine?debug=2`;
    const out = join(tmp, "other.txt");
    const refused = await run(["fetch", other, "--out", out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain(`HTTP 403 Forbidden: host not allowed: 127.0.0.1:${port}`);
    expect(refused.stderr).toContain(`--host-header localhost:${port}`);
    const ok = await run(["fetch", other, "--host-header", `localhost:${port}`, "--out", out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^goroutine \d+ \[/);
    const watched = await run([
      "watch",
      other,
      "--host-header",
      `localhost:${port}`,
      "--every",
      "100ms",
      "--count",
      "1",
    ]);
    expect(watched.code, watched.stderr).toBe(0);
  });
});
