// End-to-end: one vocabulary in text output. States in Go's words in summary, tree and leaks; tree's
// per-parent counts explained; scores read against their thresholds; small sizes in kB; profiles
// without states say so.
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const CADDY = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
const FARM = fixture("generated/go-versions/go1.26-spawnfarm-stack.txt");

describe("the words of text output", () => {
  it("summary, tree and leaks name states as Go prints them", async () => {
    const summary = (await run(["summary", CADDY])).stdout;
    const states = summary.slice(
      summary.indexOf("States"),
      summary.indexOf("\n\n", summary.indexOf("States")),
    );
    expect(states).toMatch(/^ {2}IO wait +2,103 +77\.6%$/m);
    expect(states).toMatch(/^ {2}select +\d/m);
    expect(states).not.toMatch(/io-wait|chan-receive|select-no-cases/);
    const tree = (await run(["tree", CADDY])).stdout;
    expect(tree).toContain("1,500 net/http.(*conn).serve  IO wait");
    const leaks = (await run(["leaks", CADDY])).stdout;
    expect(leaks).not.toMatch(/\[io-wait|\[chan-/);
    // The nil-channel wait in leakybank, in Go's words everywhere.
    const bank = fixture("labeled/leakybank/leakybank-t0320s-debug2.txt");
    expect((await run(["summary", bank])).stdout).toMatch(/^ {2}chan receive \(nil chan\) +960 /m);
    expect((await run(["leaks", bank])).stdout).toContain("[chan receive (nil chan)");
  });

  it("tree explains P × N once, when it prints one", async () => {
    const r = await run(["tree", FARM, "--depth", "2"]);
    const lines = r.stdout.split("\n");
    expect(lines[1]).toBe("(N: goroutines in the group; P × N: P parent goroutines started N each)");
    expect(r.stdout).toMatch(/2 × 30 main\.\(\*Server\)\.serveConn/);
    const caddy = await run(["tree", CADDY]);
    expect(caddy.stdout).not.toContain("P × N");
  });

  it("leaks states the scale its scores are read against", async () => {
    const r = await run(["leaks", CADDY]);
    expect(r.stdout.split("\n")[1]).toBe(
      "Scores add up the points of each finding's factors (no upper bound): high from 60, medium from 40, low from 20.",
    );
    const j = JSON.parse((await run(["leaks", CADDY, "--format", "json"])).stdout);
    expect(j.thresholds).toEqual({ high: 60, medium: 40, low: 20 });
  });

  it("sizes under a tenth of a megabyte are in kB, and a debug=0 profile says it has no states", async () => {
    const small = await run(["summary", fixture("generated/servers/caddy-2.11-idle-debug2.txt")]);
    expect(small.stdout.split("\n")[0]).toMatch(/ · 7\.4 kB$/);
    expect((await run(["summary", CADDY])).stdout.split("\n")[0]).toMatch(/ · 3\.5 MB$/);
    const pb = await run(["summary", fixture("generated/servers/caddy-2.11-t0-debug0.pb.gz")]);
    expect(pb.code).toBe(0);
    expect(pb.stdout).toContain("a debug=0 profile has no goroutine states (debug=2 has them)");
    expect(pb.stdout).not.toMatch(/unknown +2,711/);
  });
});
