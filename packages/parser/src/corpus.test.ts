// Every real dump parses with no goroutine lost; generated runtime output round-trips byte for byte.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { corpus, fixture, hasSharedCorpus, listCorpus, listFixtures } from "@gosleuth/fixtures";
import type { Dump } from "@gosleuth/model";
import { describe, expect, it } from "vitest";
import { formatDump, parseDump } from "./index.ts";

/** An independent count: header lines `goroutine N [` (with 1.22+ gp=/m=), anywhere in a line (glued text). */
function countHeaders(text: string): number {
  return (text.match(/goroutine \d+ (gp=\S+ m=\S+ (mp=\S+ )?)?\[/g) ?? []).length;
}

/** One line per goroutine (id, state, wait, creator, parent): small, stable snapshots. */
function render(d: Dump, max = 30): string {
  const lines = d.goroutines
    .slice(0, max)
    .map(
      (g) =>
        `${g.id} [${g.stateClass}] ${g.state} ${g.waitMinutes}m frames=${g.frames.length} creator=${g.createdBy?.fn.full ?? "-"} parent=${g.createdBy?.parentId ?? "-"}`,
    );
  return [
    `format=${d.format} goroutines=${d.goroutines.length} groups=${d.groups.length} diagnostics=${d.diagnostics.length}`,
    ...lines,
  ].join("\n");
}

function check(path: string, opts: { roundTrip: boolean }) {
  const text = readFileSync(path, "utf8");
  const d = parseDump(text);
  const profile = /^\s*\w+ profile: total (\d+)/.exec(text);
  if (profile) {
    expect(d.format).toBe("debug1");
    expect(d.total).toBe(Number(profile[1]));
    expect(d.groups.length).toBe((text.match(/^\d+ @/gm) ?? []).length);
  } else {
    expect(d.goroutines.length).toBe(countHeaders(text));
    expect(d.format).not.toBe("unknown");
    if (opts.roundTrip) expect(formatDump(d)).toBe(text);
  }
  expect(d.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
  expect(render(d)).toMatchSnapshot(basename(path));
}

describe("bundled fixtures (generated runtime output)", () => {
  for (const f of [...listFixtures("generated/go-versions"), ...listFixtures("generated/servers")]) {
    if (f.endsWith(".gz")) continue;
    it(f, () => check(fixture(f), { roundTrip: true }));
  }
});

describe("bundled fixtures (leakybank snapshots)", () => {
  for (const f of listFixtures("labeled/leakybank")) it(f, () => check(fixture(f), { roundTrip: true }));
});

describe.skipIf(!hasSharedCorpus)("shared corpus public/ (read in place, never copied)", () => {
  for (const p of listCorpus("public")) {
    if (!p.endsWith(".txt")) continue;
    it(basename(p), () => check(p, { roundTrip: true }));
  }
  it("race reports are recognised as such", () => {
    const d = parseDump(readFileSync(corpus("public/panicparse-race-detector-report.txt"), "utf8"));
    expect(d.format).toBe("race");
  });
});
