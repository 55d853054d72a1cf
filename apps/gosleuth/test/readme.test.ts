// The README's shell blocks for users, run against the packed tarball installed with npm: a README that
// drifts from the CLI fails here. Every ```sh block runs with `bash -euo pipefail` in the folder where the
// tarball was installed (so `npx gosleuth` is the installed one and the examples are in
// node_modules/gosleuth/examples), unless the line before its fence marks it:
//   <!-- readme-test: skip (why) -->        not run (installs from the registry, runs until stopped, ...)
//   <!-- readme-test: server (...) -->      a replay server on 127.0.0.1 serves the leaking service's
//                                           snapshots in turn; its port replaces 6060 in the block
//   <!-- readme-test: background (...) -->  a server command: run until it prints its address, which
//                                           must serve the viewer, then stopped
// ```yaml blocks marked `<!-- readme-test: ci (...) -->` are CI jobs: their `npx --yes gosleuth` lines run
// in order against the replay server with the installed gosleuth, `--every` cut to 1s; a `--fail-on`
// line must trip (the replayed service leaks) and leave valid SARIF or Markdown behind.
// A block that calls a gosleuth command this build does not have (`stacks`, `agent` before they land)
// is skipped and says so.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cleanEnv, ROOT } from "./global-setup.ts";

const app = inject("app");
const examples = join(app, "node_modules", "gosleuth", "examples");

interface Block {
  line: number;
  mark: string | null;
  code: string;
}

/** The ```sh (or other) blocks of a Markdown text, with the `readme-test` mark on the line before each, if any. */
export function shellBlocks(md: string, lang = "sh"): Block[] {
  const lines = md.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== `\`\`\`${lang}`) continue;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
    const mark = /^<!-- readme-test: (\w+)/.exec(lines[j] ?? "")?.[1] ?? null;
    const end = lines.indexOf("```", i + 1);
    out.push({ line: i + 1, mark, code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return out;
}

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const blocks = shellBlocks(readme);
const ciJobs = shellBlocks(readme, "yaml").filter((b) => b.mark === "ci");
const help = execFileSync(join(app, "node_modules", ".bin", "gosleuth"), ["--help"], {
  env: cleanEnv(),
  encoding: "utf8",
});
const commands = new Set(
  [...help.slice(help.indexOf("Commands:")).matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]),
);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}
function bash(code: string, timeoutMs = 90_000): Promise<Ran> {
  return new Promise((ok, fail) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", code], {
      cwd: app,
      env: cleanEnv(),
      stdio: "pipe",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", fail);
    child.on("close", (c) => {
      clearTimeout(timer);
      ok({ code: c, stdout, stderr });
    });
  });
}

// The replay server: the leaking service's snapshots in time order, then the last one again.
let server: Server;
let port = 0;
let served = 0;
beforeAll(async () => {
  const snaps = [
    "leakybank-t0060s-debug2.txt.gz",
    "leakybank-t0180s-debug2.txt.gz",
    "leakybank-t0320s-debug2.txt.gz",
  ].map((f) => gunzipSync(readFileSync(join(examples, f))));
  server = createServer((req, res) => {
    if (!req.url?.startsWith("/debug/pprof/goroutine")) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(snaps[Math.min(served++, snaps.length - 1)]);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("README shell blocks, against the installed tarball", () => {
  it("has blocks to run, and every mark is a known one", () => {
    expect(blocks.filter((b) => b.mark === null).length).toBeGreaterThanOrEqual(4);
    for (const b of blocks)
      expect([null, "skip", "server", "background"], `line ${b.line}`).toContain(b.mark);
  });

  for (const b of blocks) {
    const name = `README.md line ${b.line}: ${b.code.split("\n").find((l) => l.includes("gosleuth")) ?? b.code.split("\n")[0]}`;
    if (b.mark === "skip") {
      it.skip(name, () => {});
      continue;
    }
    it(name, async (ctx) => {
      const missing = [...b.code.matchAll(/gosleuth ([a-z][a-z-]*)/g)]
        .map((m) => m[1]!)
        .filter((c) => !commands.has(c));
      if (missing.length > 0) ctx.skip(`this build has no \`gosleuth ${missing[0]}\``);
      if (b.mark === "background") {
        const child = spawn("bash", ["-c", b.code], {
          cwd: app,
          env: cleanEnv(),
          stdio: "pipe",
          detached: true,
        });
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
        child.stderr.setEncoding("utf8").on("data", (d) => (out += d));
        try {
          await expect.poll(() => out, { timeout: 30_000 }).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\S*/);
          const url = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(out)![0];
          const page = await fetch(url, { signal: AbortSignal.timeout(10_000) });
          expect(page.status).toBe(200);
          expect(await page.text()).toContain("gosleuth");
        } finally {
          process.kill(-child.pid!, "SIGTERM");
        }
        return;
      }
      served = 0;
      const code = b.mark === "server" ? b.code.replaceAll("127.0.0.1:6060", `127.0.0.1:${port}`) : b.code;
      const r = await bash(code);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().length + r.stderr.length).toBeGreaterThan(0);
    });
  }

  it("has two CI jobs to run", () => {
    expect(ciJobs.length).toBe(2);
  });

  for (const job of ciJobs) {
    it(`README.md line ${job.line}: the CI job's gosleuth commands`, async () => {
      const steps = [...job.code.matchAll(/npx --yes gosleuth (.*)$/gm)].map((m) =>
        `npx gosleuth ${m[1]!}`
          .replaceAll("127.0.0.1:6060", `127.0.0.1:${port}`)
          .replace(/--every \S+/, "--every 1s"),
      );
      expect(steps.length).toBeGreaterThanOrEqual(2);
      served = 0;
      await bash("rm -f goroutines-*.txt gosleuth.sarif leaks.md");
      for (const step of steps) {
        const r = await bash(step);
        expect(r.stderr, step).not.toMatch(/internal error/);
        // The replayed service leaks: a --fail-on gate trips (exit 1); every other step succeeds.
        expect(r.code, `${step}\n${r.stderr}`).toBe(/--fail-on/.test(step) ? 1 : 0);
      }
      const sarif = JSON.parse(readFileSync(join(app, "gosleuth.sarif"), "utf8"));
      expect(sarif.version).toBe("2.1.0");
      expect(sarif.runs[0].results.length).toBeGreaterThan(0);
      if (job.code.includes("leaks.md")) expect(readFileSync(join(app, "leaks.md"), "utf8")).toMatch(/high/i);
    });
  }
});
