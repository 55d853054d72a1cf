// Words that are true: growth words match the numbers, snapshot times say where they came from, Markdown reads right.
import { copyFileSync, mkdtempSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { snapshotTimes } from "../src/commands/leaks.ts";
import { run } from "./helpers.ts";

const snap = (s: string) => fixture(`labeled/leakybank/leakybank-t${s}s-debug2.txt`);
const T60 = snap("0060");
const T120 = snap("0120");
const T320 = snap("0320");

/** Copies of the snapshots with the given modification times (seconds since the epoch). */
function withTimes(files: string[], seconds: number[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "gosleuth-times-"));
  return files.map((f, i) => {
    const to = join(dir, `s${i}.txt`);
    copyFileSync(f, to);
    utimesSync(to, seconds[i]!, seconds[i]!);
    return to;
  });
}

interface Finding {
  startFunction: string;
  reasons: string[];
  growth?: { counts: number[]; ratePerMinute: number };
}

describe("growth words", () => {
  it("t60 t120 t120 t120: 'never shrank', not 'grew in every snapshot'; the series once", async () => {
    const files = withTimes([T60, T120, T120, T120], [1000, 1060, 1120, 1180]);
    const r = await run(["leaks", ...files]);
    expect(r.code).toBe(0);
    const block = r.stdout.split("\n\n").find((b) => b.includes("main.(*Session).awaitAck ["))!;
    expect(block).toContain("never shrank, 100% overall (+60.0/min)");
    expect(block).not.toContain("grew in every snapshot");
    expect(block.match(/180 → 360 → 360 → 360/g)).toHaveLength(1);
  });

  it("rising in every snapshot says so, with rates in thousands separators", async () => {
    const files = withTimes([T60, T320], [1000, 1020]);
    const j = JSON.parse((await run(["leaks", ...files, "--format", "json"])).stdout);
    const f = j.findings.find((x: Finding) => x.startFunction === "main.(*Exporter).enqueue") as Finding;
    const rate = f.growth!.ratePerMinute;
    expect(rate).toBeGreaterThan(1000);
    expect(f.reasons.join("\n")).toContain(`grew in every snapshot`);
    expect(f.reasons.join("\n")).toContain(`(+${Math.round(rate).toLocaleString("en-US")}/min)`);
  });
});

describe("snapshot times", () => {
  it("file times a minute apart are used and said to be the files' times", async () => {
    const files = withTimes([T60, T120], [1000, 1060]);
    const r = await run(["leaks", ...files, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).input.times).toEqual({ source: "file-times", assumed: false });
    expect((await run(["leaks", ...files])).stdout).toContain("(times: the files' modification times)");
  });

  it("files with one time: assumed one minute apart, in text and JSON; --interval replaces the assumption", async () => {
    const files = withTimes([T60, T120], [1000, 1000]);
    const j = JSON.parse((await run(["leaks", ...files, "--format", "json"])).stdout);
    expect(j.input.times).toEqual({ source: "assumed", assumed: true, minutesApart: 1 });
    const t = await run(["leaks", ...files]);
    expect(t.stdout).toContain("times unknown: assumed one minute apart");
    const md = await run(["leaks", ...files, "--format", "md"]);
    expect(md.stdout).toContain("Times unknown: assumed one minute apart");
    const i = JSON.parse((await run(["leaks", ...files, "--format", "json", "--interval", "20s"])).stdout);
    expect(i.input.times).toEqual({ source: "interval", assumed: false, minutesApart: 1 / 3 });
    const enqueue = (x: Finding[]) => x.find((f) => f.startFunction === "main.(*Exporter).enqueue")!;
    // The same growth over a third of the time: three times the rate.
    expect(enqueue(i.findings).growth!.ratePerMinute).toBeCloseTo(
      3 * enqueue(j.findings).growth!.ratePerMinute,
      5,
    );
  });

  it("files given newest first: a warning, and the order given is kept", async () => {
    const files = withTimes([T60, T120], [2000, 1000]);
    const r = await run(["leaks", ...files, "--format", "json"]);
    expect(r.stderr).toMatch(/^gosleuth: warning: the files' times run newest first/);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(JSON.parse(r.stdout).input.times.source).toBe("assumed");
  });

  it("the rule itself: fetched, file times over at least a second, interval, assumed", () => {
    expect(snapshotTimes(["http://a/x", "http://a/x"], [1000, 3000]).times.source).toBe("fetched");
    expect(snapshotTimes(["a", "b"], [1000, 3000]).times.source).toBe("file-times");
    // Copied together: distinct by milliseconds only.
    expect(snapshotTimes(["a", "b", "c"], [1000, 1003, 1004]).times.source).toBe("assumed");
    expect(snapshotTimes(["a", "-"], [1000, null], 30_000).times).toEqual({
      source: "interval",
      assumed: false,
      minutesApart: 0.5,
    });
    expect(snapshotTimes(["a", "b"], [5000, 1000]).reversed).toBe(true);
  });
});

describe("Markdown that reads right", () => {
  it("leaks --format md: code spans without backslashes, stacks without the internal key, creators, info count", async () => {
    const md = (await run(["leaks", T320, "--format", "md"])).stdout;
    expect(md).not.toMatch(/<code>[^<]*\\[^<]*<\/code>/);
    expect(md).toContain("<code>main.&#40;&#42;Session&#41;.awaitAck leakybank/main.go&#58;78</code>");
    expect(md).toContain("| <code>main.main.func4 leakybank/main.go&#58;112</code> |");
    expect(md).not.toMatch(/```text\nchan-nil/);
    expect(md).toMatch(
      /```text\nmain\.\(\*Session\)\.awaitAck\n\tleakybank\/main\.go:78\ncreated by main\.main\.func4\n/,
    );
    expect(md).toMatch(/\n6 info groups not shown/);
  });

  it("diff --format md: the total change and the creators that text shows", async () => {
    const text = (await run(["diff", T60, T320])).stdout;
    const md = (await run(["diff", T60, T320, "--format", "md"])).stdout;
    const total = /^gosleuth diff: (.*)$/m.exec(text)![1]!;
    expect(total).toMatch(/\(\+[\d,]+\)$/);
    expect(md).toContain(`${total}.`);
    expect(text).toContain("created by main.main.func4 leakybank/main.go:112");
    expect(md).toContain("<code>main.main.func4 leakybank/main.go&#58;112</code>");
  });
});
