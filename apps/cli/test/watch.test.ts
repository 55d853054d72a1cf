// End-to-end: `gosleuth watch` against a replay server on 127.0.0.1 that serves the recorded leakybank
// snapshots in order and fails the requests a test asks it to (503, a reset connection, a hang).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FlakyReplay, LEAKYBANK_SNAPSHOTS } from "./flaky-replay.ts";
import { CLI, run } from "./helpers.ts";

const replay = new FlakyReplay(LEAKYBANK_SNAPSHOTS);
let url = "";

beforeAll(async () => {
  url = await replay.start();
});

afterAll(() => replay.close());

beforeEach(() => {
  replay.reset();
});

describe("gosleuth watch", () => {
  it("keeps going through failed fetches, says so, and reports what it collected", async () => {
    replay.plan = ["ok", "503", "reset", "ok", "ok"];
    const r = await run(["watch", url, "--every", "100ms", "--count", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("fetch failed once");
    expect(r.stdout).toContain("HTTP 503 Service Unavailable: restarting");
    expect(r.stdout).toContain("fetch failed 2 times in a row");
    expect(r.stdout).toMatch(/retrying in \d+m?s \(backing off\)/);
    expect(r.stdout).toContain("(across a gap)");
    expect(r.stdout).toMatch(/gosleuth watch: 3 snapshots over \d+m?s, 2 failed fetches \(gaps at /);
    expect(r.stdout).toMatch(/gosleuth leaks: .* across 3 snapshots/);
    expect(r.stdout).toContain("main.(*Exporter).enqueue");
  });

  it("with no snapshot at all, one line and exit 2", async () => {
    replay.plan = ["503", "503", "503"];
    const r = await run(["watch", url, "--every", "50ms", "--count", "3"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("no snapshot was collected (3 failed; the last: HTTP 503");
  });

  it("labels the change columns and sorts growing groups by growth", async () => {
    const r = await run(["watch", url, "--every", "100ms", "--count", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const frames = r.stdout.split("\n\n");
    const last = frames.find((f) => f.includes("snapshot 3/3"))!;
    expect(last).toMatch(/change: since the previous snapshot, \d+m?s before · per min: over 3 snapshots/);
    expect(last).toMatch(/count\s+change\s+per min\s+severity\s+group/);
    const rows = last.split("\n").filter((l) => /^\s+[\d,]+\s+[+−0·]/.test(l));
    const change = rows.map((l) => Number(l.trim().split(/\s+/)[1]!.replace(/[+,]/g, "").replace("−", "-")));
    const suspects = rows.filter((l) => !/\sinfo\s/.test(l)).length;
    // Suspects first, the biggest growth first; info groups below every suspect.
    expect(change.slice(0, suspects)).toEqual([...change.slice(0, suspects)].sort((a, b) => b - a));
    expect(rows.slice(suspects).every((l) => /\sinfo\s/.test(l))).toBe(true);
    expect(rows[0]).toContain("main.(*Exporter).enqueue");
  });

  it("adds no signal listener per snapshot", async () => {
    const r = await run(["watch", url, "--every", "50ms", "--count", "14"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("snapshot 14/14");
    expect(r.stderr).not.toContain("MaxListenersExceededWarning");
  });

  it("Ctrl-C during a hanging fetch ends at once with the report of what was collected", async () => {
    replay.plan = ["ok", "ok", "hang"];
    const child = spawn(process.execPath, [CLI, "watch", url, "--every", "50ms", "--timeout", "10m"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
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
      expect(code).toBe(0);
      expect(out).toMatch(/gosleuth watch: 2 snapshots over .*; stopped by Ctrl-C/);
      expect(out).toMatch(/gosleuth leaks: .* across 2 snapshots/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

// A real pseudo-terminal (util-linux `script`) of 60×12: the alternate screen, the fitted frame, the cursor
// restored, and the final report's colours.
const SCRIPT = "/usr/bin/script";
describe.skipIf(!existsSync(SCRIPT))("gosleuth watch on a terminal", () => {
  function onTty(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    return new Promise((ok) => {
      const cmd = `stty cols 60 rows 12; exec '${process.execPath}' '${CLI}' watch '${url}' --every 100ms --count 3`;
      const child: ChildProcess = spawn(SCRIPT, ["-qfec", cmd, "/dev/null"], {
        env: { ...process.env, TERM: "xterm", ...env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      child.stdout?.setEncoding("utf8").on("data", (d) => (out += d));
      child.on("exit", (code) => ok({ code, out }));
    });
  }

  it("fits each frame in 60×12 on the alternate screen and restores the terminal before the report", async () => {
    const { code, out } = await onTty({ NO_COLOR: "1" });
    expect(code).toBe(0);
    const enter = out.indexOf("\x1b[?1049h");
    const leave = out.indexOf("\x1b[?25h\x1b[?1049l");
    const report = out.indexOf("gosleuth watch: 3 snapshots");
    expect(enter).toBeGreaterThanOrEqual(0);
    expect(leave).toBeGreaterThan(enter);
    expect(report).toBeGreaterThan(leave);
    const frames = out
      .slice(enter, leave)
      .split("\x1b[H")
      .slice(1)
      .map((f) => f.replace(/\x1b\[J[\s\S]*$/, ""));
    expect(frames).toHaveLength(3);
    for (const f of frames) {
      const lines = f.split(/\r?\n/).map((l) => l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ""));
      expect(lines.length).toBeLessThanOrEqual(12);
      for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(60);
      expect(f).toMatch(/[\d,]+ +[+·0−][\d,]* +\S+ +high +…\S*enqueue/);
    }
    // NO_COLOR: the report after the screen is restored has no escape sequence at all.
    expect(out.slice(report)).not.toContain("\x1b[");
  });

  it.skipIf(!existsSync("/usr/bin/pgrep"))("gives the screen and cursor back when killed", async () => {
    const cmd = `stty cols 60 rows 12; exec '${process.execPath}' '${CLI}' watch '${url}' --every 100ms`;
    const child = spawn(SCRIPT, ["-qfec", cmd, "/dev/null"], {
      env: { ...process.env, TERM: "xterm", NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
    try {
      while (!out.includes("snapshot 2")) await new Promise((ok) => setTimeout(ok, 20));
      // `script` runs the command (exec'd by its shell) as its only child.
      const pid = Number(execFileSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).trim());
      process.kill(pid, "SIGTERM");
      expect(await exited).toBe(143);
      expect(out.lastIndexOf("\x1b[?25h\x1b[?1049l")).toBeGreaterThan(out.lastIndexOf("\x1b[H"));
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("colours the final report on a terminal when NO_COLOR is unset", async () => {
    const { code, out } = await onTty({ NO_COLOR: "" });
    expect(code).toBe(0);
    const report = out.indexOf("gosleuth watch: 3 snapshots");
    expect(out.slice(report)).toMatch(/\x1b\[[0-9;]*m/);
  });
});
