// End-to-end: colour and bold only where they belong. With stdout and stderr piped (no TTY) and neither
// NO_COLOR nor FORCE_COLOR set, no command prints an escape code; FORCE_COLOR=1 brings colour back to a
// pipe, and --no-color and NO_COLOR take it away again.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "@gosleuth/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, run } from "./helpers.ts";

// A real leaking service's snapshots: every report section (growth, high findings) has something to colour.
const T0 = fixture("labeled/leakybank/leakybank-t0060s-debug2.txt");
const T1 = fixture("labeled/leakybank/leakybank-t0320s-debug2.txt");
const CRASH = fixture("generated/go-versions/go1.23-crash-nil.txt");
const PLAIN = { NO_COLOR: "", FORCE_COLOR: "" };
const ESC = /\x1b/;

let server: Server;
let base = "";
const tmp = mkdtempSync(join(tmpdir(), "gosleuth-color-"));

beforeAll(async () => {
  let served = 0;
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(readFileSync(served++ === 0 ? T0 : T1));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/goroutine?debug=2`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

/** The commands `gosleuth --help` lists. */
async function commands(): Promise<string[]> {
  const help = (await run(["--help"])).stdout;
  const section = help.slice(help.indexOf("Commands:"));
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== "help");
}

/** Every command with arguments that make it produce its normal output (one run per output format). */
async function invocations(): Promise<string[][]> {
  const known: Record<string, string[][]> = {
    summary: [
      ["summary", T1],
      ["summary", T1, "--json"],
      ["summary", CRASH],
    ],
    parse: [["parse", T1, "--ndjson"]],
    tree: [
      ["tree", T1],
      ["tree", T1, "--json"],
      ["tree", T1, "--dot"],
    ],
    leaks: ["text", "md", "json", "sarif"].map((f) => ["leaks", T0, T1, "--format", f, "--fail-on", "high"]),
    diff: [
      ["diff", T0, T1],
      ["diff", T0, T1, "--format", "md"],
    ],
    fetch: [
      ["fetch", base, "--out", join(tmp, "f.txt")],
      ["fetch", base],
    ],
    watch: [["watch", base, "--every", "100ms", "--count", "2"]],
  };
  const out: string[][] = [];
  for (const c of await commands()) {
    if (c === "view") continue; // a server: tested below
    if (known[c]) out.push(...known[c]);
    else {
      // A command added later: its help, and a run on a dump when it takes one.
      out.push([c, "--help"]);
      const usage = (await run([c, "--help"])).stdout;
      if (/^Usage: gosleuth \S+ (\[options\] )?<inputs?(\.\.\.)?>/m.test(usage))
        out.push([c, CRASH], [c, T1]);
    }
  }
  return out;
}

describe("output in a pipe", () => {
  it("has no escape codes from any command, nor from its errors", async () => {
    const all = [...(await invocations()), ["leaks", "/nonexistent/dump.txt"], ["--bogus"], ["--help"]];
    expect(all.length).toBeGreaterThan(15);
    for (const args of all) {
      const r = await run(args, { env: PLAIN });
      expect(r.stdout.length + r.stderr.length, args.join(" ")).toBeGreaterThan(0);
      expect(ESC.test(r.stdout), `stdout of gosleuth ${args.join(" ")}`).toBe(false);
      expect(ESC.test(r.stderr), `stderr of gosleuth ${args.join(" ")}`).toBe(false);
    }
  });

  it("view prints its address without escape codes", async () => {
    const child = spawn(process.execPath, [CLI, "view", T1, "--no-open"], {
      env: { ...process.env, ...PLAIN },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (out += d));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toContain("Ctrl-C");
      expect(out).toMatch(/^gosleuth view: http:\/\/127\.0\.0\.1:\d+\//);
      expect(ESC.test(out)).toBe(false);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("colour switches", () => {
  const args = ["leaks", T0, T1];
  it("FORCE_COLOR=1 colours a pipe", async () => {
    expect((await run(args, { env: { NO_COLOR: "", FORCE_COLOR: "1" } })).stdout).toMatch(ESC);
    expect((await run(["summary", T1], { env: { NO_COLOR: "", FORCE_COLOR: "1" } })).stdout).toMatch(ESC);
  });
  it("--no-color wins over FORCE_COLOR, before or after the command", async () => {
    for (const a of [
      [...args, "--no-color"],
      ["--no-color", ...args],
    ]) {
      const r = await run(a, { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
      expect(r.stdout).toContain("high");
      expect(r.stdout).not.toMatch(ESC);
    }
  });
  it("NO_COLOR wins over FORCE_COLOR; FORCE_COLOR=0 keeps a pipe plain", async () => {
    for (const env of [
      { NO_COLOR: "1", FORCE_COLOR: "1" },
      { NO_COLOR: "", FORCE_COLOR: "0" },
    ]) {
      const r = await run(args, { env });
      expect(r.stdout).toContain("high");
      expect(r.stdout).not.toMatch(ESC);
    }
  });
});
