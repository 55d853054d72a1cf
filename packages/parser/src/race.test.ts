// Race-detector reports from the shared corpus (real) and one synthetic atomic access.
import { readFileSync } from "node:fs";
import { corpus, hasSharedCorpus } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { parseDump } from "./index.ts";
import { parseRaceReports } from "./race.ts";

describe.skipIf(!hasSharedCorpus)("race reports (real, shared corpus)", () => {
  it("reads accesses, goroutines and creation stacks, with program output interleaved", () => {
    const d = parseDump(readFileSync(corpus("public/index-race-interleaved-stdout.txt"), "utf8"));
    expect(d.format).toBe("race");
    expect(d.races).toHaveLength(1);
    const r = d.races[0]!;
    expect(
      r.accesses.map((a) => [a.kind, a.previous, a.goroutineId, a.frames[0]?.fn.full, a.frames[0]?.line]),
    ).toEqual([
      ["read", false, 8, "main.main.func2", 35],
      ["write", true, 7, "main.main.func1", 27],
    ]);
    expect(r.goroutines.map((g) => [g.id, g.status, g.createdAt[0]?.line])).toEqual([
      [8, "running", 30],
      [7, "finished", 22],
    ]);
    expect(r.lines).toEqual({ start: 1, end: 18 });
  });
  it("a race build that also panics keeps both", () => {
    const d = parseDump(readFileSync(corpus("public/panicparse-race-detector-report.txt"), "utf8"));
    expect(d.races.length).toBeGreaterThanOrEqual(1);
    expect(d.races[0]!.accesses[0]!.frames.map((f) => f.fn.full)).toEqual([
      "main.panicDoRaceRead",
      "main.panicRace.func2",
    ]);
  });
});

describe("race reports (synthetic)", () => {
  it("atomic accesses and the main goroutine", () => {
    const { races } = parseRaceReports([
      "==================",
      "WARNING: DATA RACE",
      "Atomic write at 0x00c0000a4010 by main goroutine:",
      "  main.main()",
      "      /x/main.go:9 +0x44",
      "==================",
    ]);
    expect(races[0]!.accesses[0]).toMatchObject({ kind: "write", atomic: true, goroutineId: null });
  });
});
