// `gosleuth stacks` as a user runs it: the crash first, every format, the same result on several threads,
// usage errors with exit code 2, colour only when asked; and what `summary` gained from it.
import { corpus, fixture, hasSharedCorpus } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const caddy = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
const nil = fixture("generated/go-versions/go1.26-crash-nil.txt");
const deadlock = fixture("generated/go-versions/go1.26-crash-deadlock.txt");

describe("gosleuth stacks", () => {
  it("opens a panic with the runtime's message, then the goroutine that panicked", async () => {
    const r = await run(["stacks", nil]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[2]).toBe("panic: runtime error: invalid memory address or nil pointer dereference");
    expect(lines[3]).toMatch(/^\[signal SIGSEGV: segmentation violation/);
    expect(r.stdout).toMatch(
      /goroutine 20 \[running\] panicked:\n {2}main {2}main\.go:17 {2}\(\*Account\)\.OwnerName\(\.\.\.\)/,
    );
  });
  it("shows every goroutine of a deadlock", async () => {
    const r = await run(["stacks", deadlock, "--format", "json"]);
    const j = JSON.parse(r.stdout);
    expect(j.crash).toEqual({
      kind: "fatal",
      message: "fatal error: all goroutines are asleep - deadlock!",
      goroutine: null,
    });
    expect(j.groups.flatMap((g: { ids: number[] }) => g.ids).sort((a: number, b: number) => a - b)).toEqual([
      1, 6, 7, 8,
    ]);
  });
  it("gives the one-thread JSON on two threads at every similarity level (Caddy's 1,500 connections pass the bound on argument variants at exact)", async () => {
    const env = { GOSLEUTH_RANGE_BYTES: "4096" };
    for (const level of ["exact", "pointers", "any"]) {
      const args = ["stacks", caddy, "--format", "json", "--similarity", level];
      const one = await run([...args, "--threads", "1"], { env });
      const two = await run([...args, "--threads", "2"], { env });
      expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
    }
  });
  it("gives the one-thread JSON on two threads", async () => {
    const env = { GOSLEUTH_RANGE_BYTES: "4096", GOSLEUTH_DEBUG: "1" };
    for (const f of [caddy, nil, fixture("generated/go-versions/go1.22-spawnfarm-sigquit-all.txt")]) {
      const one = await run(["stacks", f, "--format", "json", "--threads", "1"], { env });
      const two = await run(["stacks", f, "--format", "json", "--threads", "2"], { env });
      expect(two.code).toBe(0);
      if (f !== nil) expect(two.stderr).toMatch(/parsed on 2 threads in \d+ ranges \(merged\)/);
      expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
    }
  });
  it("writes Markdown and one self-contained HTML page", async () => {
    const md = await run(["stacks", caddy, "--format", "md", "--limit", "2"]);
    expect(md.stdout).toMatch(/^# Stacks of <code>/);
    expect(md.stdout).toContain("### 1,500 goroutines · IO wait");
    const html = await run(["stacks", caddy, "--format", "html"]);
    expect(html.stdout.startsWith("<!doctype html>")).toBe(true);
    expect(html.stdout).not.toMatch(/<(script|link|img)\b/);
  });
  it("limits text to 100 groups unless told (--limit 0: all)", async () => {
    const big = fixture("generated/go-versions/go1.26-spawnfarm-sigquit-all.txt");
    const all = JSON.parse((await run(["stacks", big, "--format", "json", "--similarity", "exact"])).stdout);
    expect(all.groups.length).toBeGreaterThan(100);
    const text = await run(["stacks", big, "--similarity", "exact"]);
    expect(text.stdout).toMatch(/[\d,]+ more groups? \([\d,]+ goroutines?\); raise --limit to see them/);
    const every = await run(["stacks", big, "--similarity", "exact", "--limit", "0"]);
    expect(every.stdout).not.toContain("raise --limit");
  });
  it("filters with the viewer's language and --match", async () => {
    const r = await run(["stacks", caddy, "--filter", "state:select wait:0", "--format", "json"]);
    const j = JSON.parse(r.stdout);
    expect(j.total + j.filtered).toBe(2711);
    expect(j.groups.every((g: { stateClass: string }) => g.stateClass.startsWith("select"))).toBe(true);
  });
  it("rejects a bad --filter or --match with exit code 2 and a one-line message", async () => {
    for (const [args, msg] of [
      [["--filter", "wat:1"], 'gosleuth: --filter: column 1: unknown filter key "wat"'],
      [["--match", "("], "gosleuth: --match: Invalid regular expression"],
    ] as const) {
      const r = await run(["stacks", caddy, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(msg);
    }
  });
  it("names the choices of --similarity and --sort", async () => {
    // The exit code of option errors is commander's, set in main.ts for every command.
    for (const [args, msg] of [
      [["--similarity", "some"], "argument 'some' is invalid. Allowed choices are exact, pointers, any."],
      [["--sort", "size"], "argument 'size' is invalid. Allowed choices are count, wait, id."],
    ] as const) {
      const r = await run(["stacks", caddy, ...args]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(msg);
    }
  });
  it("colours through the CLI's one decision: none on a pipe, FORCE_COLOR turns it on, NO_COLOR off", async () => {
    const piped = await run(["stacks", nil], { env: { NO_COLOR: "" } });
    expect(piped.stdout).not.toContain("\u001b[");
    const forced = await run(["stacks", nil], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(forced.stdout).toContain("\u001b[1m");
    const off = await run(["stacks", nil], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(off.stdout).not.toContain("\u001b[");
  });
  it.skipIf(!hasSharedCorpus)("lists a race report's races", async () => {
    const r = await run(["stacks", corpus("public/index-race-interleaved-stdout.txt"), "--format", "json"]);
    const j = JSON.parse(r.stdout);
    expect(j.races).toHaveLength(1);
    expect(j.races[0].accesses.map((a: { goroutine: number }) => a.goroutine)).toEqual([8, 7]);
  });
});

describe("summary shows stacks", () => {
  it("ends with the crash and the largest groups; says signal once", async () => {
    const r = await run(["summary", fixture("generated/go-versions/go1.23-crash-nil.txt")]);
    expect(r.stdout).toContain("signal: SIGSEGV: segmentation violation");
    expect(r.stdout).not.toContain("signal: signal");
    expect(r.stdout).toMatch(/\nCrash\n {2}panic: runtime error/);
    expect(r.stdout).toMatch(
      /Largest groups by stack \(1 of 1; gosleuth stacks shows them all\)\n {2}2 goroutines · running/,
    );
  });
  it("gives crash and races in --json, in stacks' shapes", async () => {
    const j = JSON.parse((await run(["summary", nil, "--json"])).stdout);
    expect(j.crash).toEqual({
      kind: "panic",
      message:
        "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a946f]",
      goroutine: 20,
    });
    expect(j.races).toEqual([]);
    const s = (await run(["summary", caddy])).stdout;
    expect(s).toMatch(
      /Largest groups by stack \(5 of \d+; gosleuth stacks shows them all\)\n {2}1,500 goroutines · IO wait/,
    );
  });
});
