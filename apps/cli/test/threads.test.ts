// `summary --threads N`: a dump file cut into byte ranges and parsed on several threads gives exactly
// the one-thread result. Tiny ranges (GOSLEUTH_RANGE_BYTES) make small real dumps take many cuts.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { threadCount } from "../src/parallel.ts";
import { run } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "gosleuth-threads-"));
const env = { GOSLEUTH_RANGE_BYTES: "4096", GOSLEUTH_DEBUG: "1" };

async function both(file: string) {
  const one = await run(["summary", file, "--json", "--threads", "1"], { env });
  const two = await run(["summary", file, "--json", "--threads", "2"], { env });
  expect(one.code).toBe(0);
  expect(two.code).toBe(0);
  expect(one.stderr).not.toContain("threads");
  return { one: JSON.parse(one.stdout), two: JSON.parse(two.stdout), stderr: two.stderr };
}

describe("summary --threads", () => {
  for (const f of [
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "generated/servers/esbuild-0.28.2-go1.26-sigquit-serve-3min.txt",
    "generated/go-versions/go1.19-spawnfarm-stack.txt",
    "generated/go-versions/go1.22-spawnfarm-sigquit-all.txt",
    "generated/go-versions/go1.26-spawnfarm-stack.txt",
    "generated/go-versions/go1.26-crash-deadlock.txt",
    "generated/go-versions/go1.24-crash-nil.txt",
    "labeled/leakybank/leakybank-t0320s-debug2.txt",
  ]) {
    it(`gives the one-thread result on ${f}`, async () => {
      const r = await both(fixture(f));
      expect(r.two).toEqual(r.one);
      expect(r.stderr).toMatch(/parsed on 2 threads in \d+ ranges/);
    });
  }

  it("really cuts: the Caddy dump takes many ranges and they merge", async () => {
    const r = await both(fixture("generated/servers/caddy-2.11-t0-debug2.txt"));
    const m = /parsed on 2 threads in (\d+) ranges \(merged\)/.exec(r.stderr);
    expect(Number(m?.[1])).toBeGreaterThan(50);
    expect(r.two.goroutines).toBe(2711);
  });

  it("falls back to one thread when a cut would split text between goroutines, with the same result", async () => {
    const g = (id: number) => `goroutine ${id} [select]:\nmain.f()\n\t/x/main.go:${id} +0x1\n\n`;
    const parts: string[] = [];
    for (let i = 1; i <= 400; i++) parts.push(i % 2 === 0 ? `stray log line ${i}\n\n${g(i)}` : g(i));
    const file = join(tmp, "junk.txt");
    writeFileSync(file, parts.join(""));
    const r = await both(file);
    expect(r.stderr).toContain("(not clean)");
    expect(r.two).toEqual(r.one);
    expect(r.two.goroutines).toBe(400);
    expect(r.two.diagnosticsByLevel).toEqual({ warning: 200 });
  });

  it("falls back to one thread when a worker fails, with the same result and a note on stderr", async () => {
    const caddy = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
    for (const cmd of [
      ["summary", "--json"],
      ["tree", "--json"],
      ["leaks", "--format", "json"],
    ]) {
      const one = await run([cmd[0]!, caddy, ...cmd.slice(1), "--threads", "1"], { env });
      // Range 0 goes to the main thread, range 1 to the worker, which fails it.
      const two = await run([cmd[0]!, caddy, ...cmd.slice(1), "--threads", "2"], {
        env: { ...env, GOSLEUTH_FAIL_RANGE: "1" },
      });
      expect(two.code).toBe(0);
      expect(two.stderr).toContain(
        "parsing on 2 threads failed (range 1: injected failure); parsing on one thread",
      );
      expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
    }
  });

  it("parses .gz files, debug=1 profiles and standard input on one thread", async () => {
    const caddy = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
    const gz = join(tmp, "caddy.txt.gz");
    writeFileSync(gz, gzipSync(readFileSync(caddy)));
    for (const args of [[gz], [fixture("generated/servers/caddy-2.11-t0-debug1.txt")]]) {
      const r = await run(["summary", ...args, "--json", "--threads", "2"], { env });
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain("threads");
    }
    const s = await run(["summary", "-", "--json", "--threads", "2"], { env, input: readFileSync(caddy) });
    expect(JSON.parse(s.stdout).goroutines).toBe(2711);
    expect(s.stderr).not.toContain("threads");
  });

  it("parses on as many threads as auto picks for this machine's cores (one on two cores or fewer)", async () => {
    const caddy = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
    const one = await run(["summary", caddy, "--json", "--threads", "1"], { env });
    // Any file size is big enough here, so only the core count decides.
    const auto = await run(["summary", caddy, "--json"], {
      env: { ...env, GOSLEUTH_PARALLEL_MIN_BYTES: "1" },
    });
    expect(auto.code).toBe(0);
    const n = threadCount("auto");
    if (n >= 2) expect(auto.stderr).toMatch(new RegExp(`parsed on ${n} threads in \\d+ ranges \\(merged\\)`));
    else expect(auto.stderr).not.toContain("threads");
    expect(JSON.parse(auto.stdout)).toEqual(JSON.parse(one.stdout));
  });

  it("rejects a bad --threads with exit code 2", async () => {
    const r = await run(["summary", fixture("generated/servers/caddy-2.11-t0-debug2.txt"), "--threads", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--threads: expected a whole number from 1 to 64");
  });

  it("errors on non-dumps as the one-thread path does, after trying threads", async () => {
    const html = join(tmp, "page.html");
    // Blank lines before `goroutine ` words: the plan finds cut points, so the threads do run.
    writeFileSync(html, `<html>\n${"<p>\n\ngoroutine is a word</p>\n".repeat(2000)}</html>\n`);
    const one = await run(["summary", html, "--threads", "1"], { env });
    const two = await run(["summary", html, "--threads", "2"], { env });
    expect(one.code).toBe(2);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/gosleuth: parsed on 2 threads in \d+ ranges/);
    // GOSLEUTH_DEBUG's lines (workers, ranges and their times, "parsed on") aside, stderr is the same.
    const debugLines = /^(gosleuth: (parsed on|workers started|ranges,).*| {2}range \d+ .*)\n/gm;
    expect(two.stderr.replace(debugLines, "")).toBe(one.stderr);
  });
});

describe("tree and leaks --threads", () => {
  for (const f of [
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "generated/go-versions/go1.19-spawnfarm-stack.txt",
    "labeled/leakybank/leakybank-t0320s-debug2.txt",
  ]) {
    it(`tree --json gives the one-thread tree on ${f}`, async () => {
      const one = await run(["tree", fixture(f), "--json", "--threads", "1"], { env });
      const two = await run(["tree", fixture(f), "--json", "--threads", "2"], { env });
      expect(two.code).toBe(0);
      expect(two.stderr).toMatch(/parsed on 2 threads in \d+ ranges \(merged\)/);
      expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
    });

    it(`leaks --format json gives the one-thread report on ${f}`, async () => {
      const config = join(tmp, "settings.json");
      writeFileSync(config, JSON.stringify({ samples: 3 }));
      const args = ["leaks", fixture(f), "--format", "json", "--config", config];
      const one = await run([...args, "--threads", "1"], { env });
      const two = await run([...args, "--threads", "2"], { env });
      expect(two.code).toBe(0);
      expect(two.stderr).toMatch(/parsed on 2 threads in \d+ ranges \(merged\)/);
      const report = JSON.parse(two.stdout);
      expect(report).toEqual(JSON.parse(one.stdout));
      expect(Math.max(...report.findings.map((x: { sampleIds: number[] }) => x.sampleIds.length))).toBe(3);
    });
  }
});

describe("summary records", () => {
  it("keeps ids beyond 2^31 exact, in the spawn view too", async () => {
    const big = 3_000_000_000;
    const text = [
      `goroutine 1 [select]:\nmain.main()\n\t/x/main.go:1 +0x1\n`,
      `goroutine ${big} [chan receive]:\nmain.w()\n\t/x/main.go:2 +0x1\ncreated by main.main in goroutine 1\n\t/x/main.go:9 +0x1\n`,
      `goroutine ${big + 1} [chan receive]:\nmain.w()\n\t/x/main.go:2 +0x1\ncreated by main.s in goroutine ${big}\n\t/x/main.go:12 +0x1\n`,
      `goroutine 7 [chan receive]:\nmain.w()\n\t/x/main.go:2 +0x1\ncreated by main.s in goroutine 5\n\t/x/main.go:12 +0x1\n`,
    ].join("\n");
    const file = join(tmp, "big-ids.txt");
    writeFileSync(file, text);
    const j = JSON.parse((await run(["summary", file, "--json", "--threads", "1"])).stdout);
    expect(j.spawn).toMatchObject({ roots: 1, orphans: 1, maxId: big + 1 });
    expect(j.spawn.topSpawningSites[0]).toMatchObject({ site: "main.main /x/main.go:9", descendants: 2 });
  });
});
