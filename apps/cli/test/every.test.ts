// End-to-end: `leaks URL --every` and `fetch URL --every` against a replay server on 127.0.0.1 that serves the
// recorded leakybank snapshots in order and fails the requests a test asks it to (503, a reset connection, a
// body cut halfway, a hang): a failed fetch is a gap, not the end, as in `watch`.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FlakyReplay, LEAKYBANK_SNAPSHOTS } from "./flaky-replay.ts";
import { CLI, run } from "./helpers.ts";

const replay = new FlakyReplay(LEAKYBANK_SNAPSHOTS);
let url = "";
let tmp = "";

beforeAll(async () => {
  url = await replay.start();
});

afterAll(() => replay.close());

beforeEach(() => {
  replay.reset();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = mkdtempSync(join(tmpdir(), "gosleuth-every-"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("gosleuth leaks URL --every", () => {
  it("keeps going through failed fetches, says each on stderr, and reports the snapshots it took", async () => {
    replay.plan = ["ok", "503", "reset", "ok", "ok"];
    const r = await run(["leaks", url, "--every", "100ms", "--count", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /gosleuth leaks: fetch 2\/5 failed \(a gap in the series\): HTTP 503.*; retrying in 200ms/,
    );
    expect(r.stderr).toMatch(/gosleuth leaks: fetch 3\/5 failed .*; retrying in 400ms/);
    expect(r.stderr).toContain("gosleuth: snapshot 3 (fetch 5/5):");
    expect(r.stderr).toContain("gosleuth leaks: 3 snapshots from 5 fetches, 2 failed (gaps in the series)");
    expect(replay.requests).toBe(5);
    expect(r.stdout).toMatch(/across 3 snapshots/);
    expect(r.stdout).toContain("main.(*Exporter).enqueue");
  });

  it("with no snapshot at all, ends with one error line and exit 2", async () => {
    replay.plan = ["503", "503", "503"];
    const r = await run(["leaks", url, "--every", "50ms", "--count", "3"]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines[lines.length - 1]).toContain("no snapshot was collected (3 failed; the last: HTTP 503");
    expect(r.stdout).toBe("");
  });

  it("Ctrl-C during a hanging fetch ends at once with the report of what was collected", async () => {
    replay.plan = ["ok", "ok", "hang"];
    const child = spawn(
      process.execPath,
      [CLI, "leaks", url, "--every", "50ms", "--count", "10", "--timeout", "10m"],
      { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
    try {
      // Wait until the third request (the one that hangs) has reached the server.
      while (replay.requests < 3) await new Promise((ok) => setTimeout(ok, 20));
      child.kill("SIGINT");
      // The fetch would hang for ten minutes: waiting for it is a failure, not a slow pass.
      const code = await Promise.race([
        exited,
        new Promise((ok) => setTimeout(() => ok("still running"), 20_000)),
      ]);
      expect(code, err).toBe(0);
      expect(err).toContain("gosleuth leaks: 2 snapshots from 3 fetches; stopped by Ctrl-C");
      expect(out).toMatch(/across 2 snapshots/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

describe("gosleuth fetch URL --every", () => {
  it("keeps going through failed fetches, numbers the files by snapshot, and leaves no partial file", async () => {
    replay.plan = ["ok", "503", "cut", "ok"];
    const out = join(tmp, "snap-{n}.txt");
    const r = await run(["fetch", url, "--every", "100ms", "--count", "4", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/gosleuth fetch: fetch 2\/4 failed \(a gap in the series\): HTTP 503/);
    expect(r.stderr).toMatch(/gosleuth fetch: fetch 3\/4 failed/);
    expect(r.stderr).toContain("gosleuth fetch: 2 snapshots from 4 fetches, 2 failed (gaps in the series)");
    expect(readdirSync(tmp).sort()).toEqual(["snap-1.txt", "snap-2.txt"]);
    expect(readFileSync(join(tmp, "snap-1.txt")).equals(LEAKYBANK_SNAPSHOTS[0]!)).toBe(true);
    expect(readFileSync(join(tmp, "snap-2.txt")).equals(LEAKYBANK_SNAPSHOTS[1]!)).toBe(true);
  });

  it("with no snapshot at all, exits 2 and writes no file", async () => {
    replay.plan = ["503", "reset"];
    const r = await run(["fetch", url, "--every", "50ms", "--count", "2", "--out", join(tmp, "s-{n}.txt")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n").pop()).toContain("no snapshot was collected (2 failed; the last:");
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("Ctrl-C during a hanging fetch keeps the files already written and removes the partial one", async () => {
    replay.plan = ["ok", "hang"];
    const child = spawn(
      process.execPath,
      [
        CLI,
        "fetch",
        url,
        "--every",
        "50ms",
        "--count",
        "10",
        "--timeout",
        "10m",
        "--out",
        join(tmp, "s-{n}.txt"),
      ],
      { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
    try {
      while (replay.requests < 2) await new Promise((ok) => setTimeout(ok, 20));
      child.kill("SIGINT");
      const code = await Promise.race([
        exited,
        new Promise((ok) => setTimeout(() => ok("still running"), 20_000)),
      ]);
      expect(code, err).toBe(0);
      expect(err).toContain("gosleuth fetch: 1 snapshot from 2 fetches; stopped by Ctrl-C");
      expect(readdirSync(tmp)).toEqual(["s-1.txt"]);
      expect(existsSync(join(tmp, "s-2.txt.part"))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
