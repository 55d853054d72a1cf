// End-to-end: `summary` and `parse` on real bundled dumps, stdin, .gz, and every input error.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const CADDY = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
const tmp = mkdtempSync(join(tmpdir(), "gosleuth-cli-"));

describe("gosleuth summary", () => {
  it("prints the format, totals and states of a real Caddy dump", async () => {
    const r = await run(["summary", CADDY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("debug=2 (full stacks) · 2,711 goroutines");
    expect(r.stdout).toMatch(/IO wait\s+2,103/);
    expect(r.stdout).toContain("net/http.(*Server).Serve");
  });

  it("--json has format, goroutines, frames, states, diagnostics and bytes", async () => {
    const r = await run(["summary", CADDY, "--json"]);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      format: "debug2",
      goroutines: 2711,
      diagnostics: 0,
      bytes: readFileSync(CADDY).length,
    });
    expect(j.frames).toBeGreaterThan(2711);
    expect(Object.values(j.states as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2711);
  });

  it("has the spawn view: roots, orphans, top spawning sites, churn", async () => {
    const farm = fixture("generated/go-versions/go1.26-spawnfarm-stack.txt");
    const j = JSON.parse((await run(["summary", farm, "--json"])).stdout);
    expect(j.spawn).toMatchObject({ roots: 1, orphans: 0, maxId: expect.any(Number) });
    expect(j.spawn.topSpawningSites[0]).toMatchObject({
      site: expect.stringMatching(/^main\.main /),
      descendants: 1086,
    });
    const caddy = JSON.parse((await run(["summary", CADDY, "--json"])).stdout);
    expect(caddy.spawn.orphans).toBe(600);
  });

  it("reads .gz transparently and stdin with -", async () => {
    const gz = join(tmp, "caddy.txt.gz");
    writeFileSync(gz, gzipSync(readFileSync(CADDY)));
    const a = JSON.parse((await run(["summary", gz, "--json"])).stdout);
    expect(a.goroutines).toBe(2711);
    const b = JSON.parse((await run(["summary", "-", "--json"], { input: readFileSync(CADDY) })).stdout);
    expect(b.goroutines).toBe(2711);
  });

  it("debug=1 profiles count the goroutines of their groups", async () => {
    const r = JSON.parse(
      (await run(["summary", fixture("generated/servers/caddy-2.11-t0-debug1.txt"), "--json"])).stdout,
    );
    expect(r.format).toBe("debug1");
    expect(r.goroutines).toBe(2711);
  });

  it("a panic shows its message", async () => {
    const r = await run(["summary", fixture("generated/go-versions/go1.26-crash-nil.txt")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/panic: runtime error: invalid memory address or nil pointer dereference/);
  });

  it("gives one clear line and exit 2 for missing files, HTML, empty files and directories", async () => {
    const html = join(tmp, "page.html");
    writeFileSync(html, "<!doctype html><html><body>404</body></html>\n");
    const empty = join(tmp, "empty.txt");
    writeFileSync(empty, "");
    for (const [args, msg] of [
      [["summary", join(tmp, "missing.txt")], "no such file"],
      [["summary", html], "looks like HTML"],
      [["summary", empty], "the input is empty"],
      [["summary", tmp], "is a directory"],
    ] as const) {
      const r = await run([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^gosleuth: .*${msg}`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("gosleuth parse --ndjson", () => {
  it("waits for a slow reader without leaking listeners or warnings (the whole Caddy dump, paused pipe)", async () => {
    const { spawn } = await import("node:child_process");
    const { CLI } = await import("./helpers.ts");
    const child = spawn(process.execPath, [CLI, "parse", CADDY], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    // Read with a pause after every chunk, so the CLI meets backpressure again and again.
    const done = new Promise<number | null>((ok) => child.on("close", ok));
    let text = "";
    for await (const chunk of child.stdout.setEncoding("utf8")) {
      text += chunk;
      await new Promise((r) => setTimeout(r, 15));
    }
    const code = await done;
    const lines = text.split("\n").filter((l) => l !== "").length;
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(lines).toBe(2711);
  });
  it("streams one object per goroutine with frames and createdBy", async () => {
    const r = await run(["parse", fixture("labeled/leakybank/leakybank-t0060s-debug2.txt"), "--ndjson"]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1696);
    const child = lines.find((l) => l.createdBy?.parentId);
    expect(child).toMatchObject({
      id: expect.any(Number),
      state: expect.any(String),
      waitMinutes: expect.any(Number),
    });
    expect(child.frames[0]).toMatchObject({
      function: expect.any(String),
      file: expect.any(String),
      line: expect.any(Number),
    });
    expect(child.createdBy).toMatchObject({
      function: expect.any(String),
      file: expect.any(String),
      line: expect.any(Number),
    });
  });
});

describe("--help", () => {
  it("every command explains itself with examples", async () => {
    for (const cmd of ["summary", "parse", "tree", "leaks", "diff", "fetch", "watch", "view"]) {
      const r = await run([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: gosleuth ${cmd}`);
      expect(r.stdout).toMatch(/Examples?:/);
    }
  });
});

describe("rough inputs: cut dumps, CRLF, race reports", () => {
  const BANK = fixture("labeled/leakybank/leakybank-t0300s-debug2.txt");
  it("a dump cut in the middle says so, and qualifies the spawn view's estimate", async () => {
    const text = readFileSync(BANK, "utf8");
    const half = join(tmp, "leakybank-first-half.txt");
    writeFileSync(half, text.slice(0, Math.floor(text.length / 2)));
    const r = await run(["summary", half]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^part of a dump: the input ends inside a goroutine block: "goroutine \d+ \[/m);
    expect(r.stdout).toMatch(/created and finished ≈ [\d,]+ \(at most: the input is cut/);
    const j = JSON.parse((await run(["summary", half, "--json"])).stdout);
    expect(j.truncated).toMatchObject({ atStart: false, atEnd: true });
    expect(j.spawn.note).toMatch(/looks like part of a dump/);
    const whole = JSON.parse((await run(["summary", BANK, "--json"])).stdout);
    expect(whole.truncated).toBeUndefined();
    expect(await run(["summary", BANK])).not.toMatchObject({
      stdout: expect.stringContaining("part of a dump"),
    });
  });
  it("a dump inside a long log lists the first lines' diagnostics and counts the ones past the cap", async () => {
    // 6,000 log lines, the Caddy dump, 6,000 log lines: 12,000 info diagnostics, 10,000 listed.
    const log = (from: number) =>
      Array.from({ length: 6_000 }, (_, i) => `2026-12-03T06:00:00Z INFO request ${from + i} served\n`).join(
        "",
      );
    const file = join(tmp, "caddy-in-a-log.txt");
    writeFileSync(file, `${log(0)}${readFileSync(CADDY, "utf8")}${log(6_000)}`);
    const r = await run(["summary", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Diagnostics {2}10,001 \(10,000 info, 1 warning\) and 2,000 more not listed\n/);
    expect(r.stdout).toContain("  info: line 1: text before the dump (kept in the preamble)\n");
    const j = JSON.parse((await run(["summary", file, "--json"])).stdout);
    expect(j).toMatchObject({ goroutines: 2711, diagnostics: 10_001, diagnosticsNotListed: 2_000 });
    expect(j.firstDiagnostics.map((d: { line: number }) => d.line)).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.parse((await run(["summary", CADDY, "--json"])).stdout).diagnosticsNotListed).toBe(0);
  });
  it("lists the 25 most common states and counts the rest (a dump can print a state per goroutine)", async () => {
    // 40 goroutines, each in its own raw state (`[chan receive N]`), goroutine 2 in the most common one.
    const g = (id: number, state: string) =>
      `goroutine ${id} [${state}]:\nmain.worker()\n\t/app/main.go:9 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:5 +0x1\n`;
    const parts = [g(2, "select"), g(3, "select")];
    for (let i = 0; i < 40; i++) parts.push(g(10 + i, `chan receive ${i}`));
    const file = join(tmp, "many-states.txt");
    writeFileSync(file, parts.join("\n"));
    const r = await run(["summary", file]);
    expect(r.code).toBe(0);
    const states = r.stdout.slice(
      r.stdout.indexOf("States\n"),
      r.stdout.indexOf("\n\n", r.stdout.indexOf("States\n")),
    );
    const rows = states.split("\n").slice(1);
    expect(rows).toHaveLength(26);
    expect(rows[0]).toMatch(/^ {2}select +2 +4\.8%$/);
    expect(rows[24]).toMatch(/^ {2}chan receive 23 +1 /);
    expect(rows[25]).toBe("  … 16 more states (16 goroutines; --json lists them all)");
    const j = JSON.parse((await run(["summary", file, "--json"])).stdout);
    expect(Object.keys(j.rawStates)).toHaveLength(41);
  });
  it("a real SIGQUIT dump pasted after a shell prompt is a signal dump", async () => {
    const text = readFileSync(fixture("generated/go-versions/go1.26-spawnfarm-sigquit-system.txt"), "utf8");
    const r = await run(["summary", "-"], { input: `root@host:/# ${text}` });
    expect(r.stdout).toMatch(/signal dump · 198 goroutines/);
    expect(r.stdout).toContain("signal: SIGQUIT: quit");
  });
  it("a CRLF deadlock dump is a fatal error with its message", async () => {
    const crlf = readFileSync(fixture("generated/go-versions/go1.26-crash-deadlock.txt"), "utf8").replace(
      /\n/g,
      "\r\n",
    );
    const j = JSON.parse((await run(["summary", "-", "--json"], { input: crlf })).stdout);
    expect(j).toMatchObject({
      format: "fatal",
      fatal: ["all goroutines are asleep - deadlock!"],
      diagnostics: 0,
    });
  });
  it("tree on a race report (header lost, written by hand after Go 1.10's shape) says what a race report holds", async () => {
    const input = [
      "Read at 0x00c4200a0f48 by goroutine 224:",
      "  main.get()",
      "      /app/cache.go:31 +0x5d",
      "",
      "Previous write at 0x00c4200a0f48 by goroutine 45:",
      "  main.set()",
      "      /app/cache.go:40 +0x8e",
      "",
      "Goroutine 224 (running) created at:",
      "  main.serve()",
      "      /app/main.go:77 +0x1a4",
      "==================",
      "",
    ].join("\n");
    const r = await run(["tree", "-"], { input });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "a race report has no goroutine dump to build a spawn tree from (1 race report",
    );
    const j = JSON.parse((await run(["summary", "-", "--json"], { input })).stdout);
    expect(j.format).toBe("race");
  });
});
