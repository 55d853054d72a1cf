// The published package as a user gets it: the tarball `release:pack` writes, installed with plain npm
// into an empty folder outside the workspace, runs every command on its bundled example dumps.
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cleanEnv } from "./global-setup.ts";

const app = inject("app");
const tarball = inject("tarball");
const pkgDir = join(app, "node_modules", "gosleuth");
const BIN = join(app, "node_modules", ".bin", "gosleuth");
const ex = (f: string) => join(pkgDir, "examples", f);
const T0 = ex("leakybank-t0060s-debug2.txt.gz");
const T1 = ex("leakybank-t0320s-debug2.txt.gz");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function gosleuth(args: string[]): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(BIN, args, { cwd: app, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

let server: Server;
let url = "";
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-encoding": "gzip" });
    res.end(readFileSync(T1));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/goroutine?debug=2`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("the packed tarball", () => {
  it("is small and holds the CLI, its worker, the viewer and the examples, and no dependencies", () => {
    const size = statSync(tarball).size;
    expect(size).toBeLessThan(10 * 1024 * 1024);
    const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    expect(manifest.name).toBe("gosleuth");
    expect(manifest.bin).toEqual({ gosleuth: "./dist/gosleuth.mjs" });
    expect(Object.keys(manifest.dependencies ?? {})).toEqual([]);
    // The private workspace packages it bundles are not on npm: the published manifest does not name them.
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.engines.node).toBe(">=20.19");
    for (const f of [
      "dist/gosleuth.mjs",
      "dist/worker.mjs",
      "dist/grammar.cjs",
      "dist/viewer/index.html",
      "dist/LICENSE",
    ]) {
      expect(statSync(join(pkgDir, f)).isFile(), f).toBe(true);
    }
    expect(readdirSync(join(pkgDir, "examples")).length).toBeGreaterThanOrEqual(5);
    // Nothing but the package itself was installed.
    expect(readdirSync(join(app, "node_modules")).filter((d) => !d.startsWith("."))).toEqual(["gosleuth"]);
  });

  it("imports no workspace package at run time, and none is reachable from the install", () => {
    // The entry, the worker, the chunks the commands load when they run, and the grammar the parser loads
    // when a dump needs it.
    const modules = readdirSync(join(pkgDir, "dist")).filter((f) => f.endsWith(".mjs") || f.endsWith(".cjs"));
    expect(modules).toEqual(expect.arrayContaining(["gosleuth.mjs", "worker.mjs", "grammar.cjs"]));
    for (const f of modules) {
      const code = readFileSync(join(pkgDir, "dist", f), "utf8");
      expect(code).not.toMatch(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']@gosleuth\//);
    }
    const probe = execFileSync(
      process.execPath,
      ["-e", "import('@gosleuth/parser').then(() => console.log('found'), () => console.log('absent'))"],
      { cwd: app, env: cleanEnv(), encoding: "utf8" },
    );
    expect(probe.trim()).toBe("absent");
  });
});

describe("the installed gosleuth", () => {
  it("--version is the package's version, also through npx", async () => {
    const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    expect((await gosleuth(["--version"])).stdout.trim()).toBe(version);
    const viaNpx = execFileSync("npx", ["--no-install", "gosleuth", "--version"], {
      cwd: app,
      env: cleanEnv(),
      encoding: "utf8",
    });
    expect(viaNpx.trim()).toBe(version);
  });

  it("summary: text and JSON, on a crash and on a server", async () => {
    const crash = await gosleuth(["summary", ex("go1.23-crash-nil.txt")]);
    expect(crash.code).toBe(0);
    expect(crash.stdout).toMatch(/goroutines?/);
    const server = await gosleuth(["summary", ex("caddy-2.11-t0-debug2.txt.gz"), "--json"]);
    expect(server.code).toBe(0);
    expect(JSON.parse(server.stdout).goroutines).toBeGreaterThan(1000);
  });

  it("leaks: a leak series trips --fail-on high (exit 1) and SARIF is valid JSON", async () => {
    const r = await gosleuth(["leaks", T0, ex("leakybank-t0180s-debug2.txt.gz"), T1, "--fail-on", "high"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/high/);
    const sarif = await gosleuth(["leaks", T1, "--format", "sarif"]);
    expect(sarif.code).toBe(0);
    expect(JSON.parse(sarif.stdout).version).toBe("2.1.0");
  });

  it("tree, parse and diff", async () => {
    const tree = await gosleuth(["tree", T1, "--depth", "2"]);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain("main.main");
    const parse = await gosleuth(["parse", ex("go1.23-crash-deadlock.txt"), "--ndjson"]);
    expect(parse.code).toBe(0);
    expect(JSON.parse(parse.stdout.split("\n")[0]!).id).toBeTypeOf("number");
    const diff = await gosleuth(["diff", T0, T1]);
    expect(diff.code).toBe(0);
    expect(diff.stdout.length).toBeGreaterThan(0);
  });

  it("stacks, once the CLI has it", async (ctx) => {
    const help = (await gosleuth(["--help"])).stdout;
    if (!/^\s+stacks\b/m.test(help)) ctx.skip("this build has no `stacks` command");
    const r = await gosleuth(["stacks", ex("go1.23-crash-nil.txt")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("main.");
  });

  it("fetch from a pprof endpoint on loopback", async () => {
    const out = join(app, "fetched.txt");
    const r = await gosleuth(["fetch", url, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const s = await gosleuth(["summary", out, "--json"]);
    expect(JSON.parse(s.stdout).goroutines).toBe(9217);
  });

  it("view serves the viewer from the installed package, and the dump", async () => {
    const child = spawn(BIN, ["view", T1, "--no-open"], { cwd: app, env: cleanEnv(), stdio: "pipe" });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (out += d));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/http:\/\/127\.0\.0\.1:\d+\//);
      const base = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)![0];
      const index = await (await fetch(base, { signal: AbortSignal.timeout(10_000) })).text();
      expect(index).toBe(readFileSync(join(pkgDir, "dist", "viewer", "index.html"), "utf8"));
      const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(index)![1]!;
      const js = await fetch(base + asset, { signal: AbortSignal.timeout(10_000) });
      expect(js.status).toBe(200);
      expect(await js.text()).toBe(readFileSync(join(pkgDir, "dist", "viewer", asset), "utf8"));
      // The dump is where the printed URL's `src` says (a per-run path).
      const src = new URL(/http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(out)![0]).searchParams.get("src")!;
      expect(src).toMatch(/^\/dump/);
      const dump = await fetch(new URL(src, base), { signal: AbortSignal.timeout(10_000) });
      expect(dump.status).toBe(200);
      expect(Buffer.from(await dump.arrayBuffer()).equals(readFileSync(T1))).toBe(true);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
