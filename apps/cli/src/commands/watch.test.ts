// The `watch` screen as a function: fitted to any terminal size, dump text escaped, back-off doubling.

import { readFixture } from "@gosleuth/fixtures";
import { analyzeSnapshots } from "@gosleuth/leaks";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { backoff } from "./poll.ts";
import { cutLeft, type FrameState, renderFrame } from "./watch.ts";

const times = [new Date("2026-07-01T12:00:00Z"), new Date("2026-07-01T12:01:00Z")];
const leaky = [
  parseDump(readFixture("labeled/leakybank/leakybank-t0060s-debug2.txt")).goroutines,
  parseDump(readFixture("labeled/leakybank/leakybank-t0120s-debug2.txt")).goroutines,
];

function state(goroutines = leaky): FrameState {
  return {
    url: "http://127.0.0.1:6060/debug/pprof/goroutine?debug=2",
    attempt: goroutines.length,
    count: 0,
    report: analyzeSnapshots(goroutines.map((g, i) => ({ goroutines: g, takenAt: times[i]! }))),
    times: times.slice(0, goroutines.length),
    taken: goroutines.length,
    gaps: [],
    failing: 0,
  };
}

describe("renderFrame", () => {
  it("fits every size: no line wider than the screen, no more lines than its height, counts kept", () => {
    for (const [width, height] of [
      [200, 50],
      [80, 24],
      [60, 12],
      [40, 8],
      [20, 3],
    ] as const) {
      const { lines } = renderFrame(state(), { width, height, color: false });
      expect(lines.length, `${width}×${height}`).toBeLessThanOrEqual(Math.max(height, 5));
      for (const l of lines) expect([...l].length, `${width}×${height}: ${l}`).toBeLessThanOrEqual(width);
      // The biggest group's count (the enqueue leak at 120 s) is shown whole wherever a row fits.
      expect(
        lines.some((l) => /^\s+[\d,]{5}\s/.test(l) && l.includes("2,332")),
        `${width}×${height}`,
      ).toBe(width >= 40);
    }
  });

  it("cuts function names from the left", () => {
    expect(cutLeft("github.com/acme/shop/internal/orders.(*Queue).enqueue", 20)).toBe("…rs.(*Queue).enqueue");
    // 64 columns leave 24 for the group: 16 for the function, cut from the left, and the state cut.
    const { lines } = renderFrame(state(), { width: 64, height: 20, color: false });
    expect(lines).toContainEqual(expect.stringMatching(/ {2}…porter\)\.enqueue \[cha…\]$/));
    // 100 columns: the function and its state whole.
    const wide = renderFrame(state(), { width: 100, height: 20, color: false }).lines;
    expect(wide).toContainEqual(expect.stringMatching(/ {2}main\.\(\*Exporter\)\.enqueue \[chan send\]$/));
    // 56 columns leave 15: the function only.
    const narrow = renderFrame(state(), { width: 56, height: 20, color: false }).lines;
    expect(narrow).toContainEqual(expect.stringMatching(/ {2}…orter\)\.enqueue$/));
  });

  it("shows control characters in dump text escaped", () => {
    // Hand-written: a goroutine whose function name carries an ESC sequence that would recolour the screen.
    const dump =
      "goroutine 1 [chan receive]:\nmain.\x1b[31mred()\n\t/src/x.go:5 +0x1d\ncreated by main.main in goroutine 0\n\t/src/x.go:9 +0x2\n";
    const g = parseDump(dump).goroutines;
    const { lines } = renderFrame(state([g]), { width: 120, height: 20, color: false });
    expect(lines.join("\n")).not.toContain("\x1b");
    expect(lines.join("\n")).toContain("main.\\x1b[31mred");
  });
});

describe("backoff", () => {
  it("doubles after each failure in a row, up to a minute or --every", () => {
    expect([0, 1, 2, 3, 10].map((f) => backoff(10_000, f))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(backoff(120_000, 3)).toBe(120_000);
  });
});
