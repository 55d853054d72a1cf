// Fragments (byte ranges cut at goroutine boundaries, parsed apart, as the CLI's threads do) merge into
// exactly what one session gives, or say they cannot (clean: false).
import { readFileSync } from "node:fs";
import { fixture, hasSharedCorpus, listCorpus, listFixtures } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { boundaries, parseInFragments } from "../test/fragments-util.ts";
import { parseDump } from "./index.ts";

async function check(path: string) {
  const bytes = new Uint8Array(readFileSync(path));
  const whole = parseDump(bytes);
  const all = boundaries(bytes);
  // Cut at every third boundary (and, for small files, at every one).
  for (const step of all.length < 40 ? [1, 3] : [3, 17]) {
    const cuts = all.filter((_, i) => i % step === step - 1);
    const r = await parseInFragments(bytes, cuts);
    expect(r.goroutines).toBe(whole.goroutines.length + whole.groups.reduce((a, g) => a + g.count, 0));
    expect(r.ids).toEqual(whole.goroutines.map((g) => g.id));
    if (!r.clean) continue;
    const { goroutines: _g, groups: _gr, ...info } = whole;
    expect(r.info).toEqual(info);
  }
}

describe("fragments merge to the whole-input result", () => {
  for (const f of [
    ...listFixtures("generated/go-versions"),
    ...listFixtures("generated/servers"),
    ...listFixtures("labeled/leakybank").slice(0, 2),
  ]) {
    if (f.endsWith(".gz")) continue;
    it(f, () => check(fixture(f)));
  }
  it.skipIf(!hasSharedCorpus)("shared corpus public/ dumps", async () => {
    for (const p of listCorpus("public")) if (p.endsWith(".txt")) await check(p);
  });

  it("shifts diagnostics' line numbers and counts dumps across fragments", async () => {
    const g = (id: number) => `goroutine ${id} [select]:\nmain.f()\n\t/x/main.go:${id} +0x1\n\n`;
    const text = `${g(1)}${g(2)}junk between\n\n${g(3)}${g(4)}SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n\n${g(5)}${g(6)}${g(7)}`;
    const bytes = new TextEncoder().encode(text);
    const whole = parseDump(bytes);
    expect(whole.dumpCount).toBe(2);
    const all = boundaries(bytes);
    // Cut after goroutines 1, 3 and 5: each cut falls right after a goroutine, so the merge is exact.
    const r = await parseInFragments(bytes, [all[0]!, all[2]!, all[4]!]);
    expect(r.clean).toBe(true);
    const { goroutines: _g, groups: _gr, ...info } = whole;
    expect(r.info).toEqual(info);
    expect(r.info.diagnostics.map((d) => d.line)).toEqual(whole.diagnostics.map((d) => d.line));
    expect(r.offsets.map((o) => o.dumps)).toEqual([0, 0, 0, 1]);
  });

  it("says a cut is not clean when text between goroutines would land at a fragment's end", async () => {
    const g = (id: number) => `goroutine ${id} [select]:\nmain.f()\n\t/x/main.go:${id} +0x1\n\n`;
    const bytes = new TextEncoder().encode(`${g(1)}${g(2)}junk between\n\n${g(3)}`);
    const all = boundaries(bytes);
    const r = await parseInFragments(bytes, [all[1]!]);
    expect(r.clean).toBe(false);
    expect(r.goroutines).toBe(3);
  });

  it("keeps the diagnostics cap and its count across fragments", async () => {
    const g = (id: number) => `goroutine ${id} [select]:\nmain.f()\n\t/x/main.go:${id} +0x1\n\n`;
    // Each goroutine without frames is an info diagnostic: 12,000 of them, over the 10,000 cap.
    const parts: string[] = [];
    for (let i = 1; i <= 12_000; i++) parts.push(`goroutine ${i} [select]:\n\n`);
    parts.push(g(12_001));
    const bytes = new TextEncoder().encode(parts.join(""));
    const whole = parseDump(bytes);
    const all = boundaries(bytes);
    const r = await parseInFragments(bytes, [all[4999]!, all[9999]!]);
    expect(r.clean).toBe(true);
    expect(r.info.diagnostics.length).toBe(whole.diagnostics.length);
    expect(r.info.diagnostics.at(-1)).toEqual(whole.diagnostics.at(-1));
    expect(r.info.diagnostics.at(-2)).toEqual(whole.diagnostics.at(-2));
  });

  it("lists the diagnostics of lines before the dump first, so the cap drops the last lines' ones", async () => {
    // A dump inside a log: 6,000 log lines, two goroutines, 6,000 log lines: 12,000 info diagnostics
    // over the 10,000 cap. Those kept are the first lines' (before, the lines after the dump came
    // first and every line before it was dropped).
    const log = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => `2026-12-03T06:00:00Z INFO request ${from + i} served\n`).join("");
    const g = (id: number) => `goroutine ${id} [select]:\nmain.f()\n\t/x/main.go:${id} +0x1\n\n`;
    const text = `${log(6_000, 0)}${g(1)}${g(2)}${log(6_000, 6_000)}`;
    const bytes = new TextEncoder().encode(text);
    const whole = parseDump(bytes);
    const info = whole.diagnostics.filter((d) => d.severity === "info");
    expect(info.length).toBe(10_000);
    expect(info.slice(0, 6_000).map((d) => d.line)).toEqual(Array.from({ length: 6_000 }, (_, i) => i + 1));
    // The first lines after the dump follow, in order (the dump's 8 lines start at line 6,001).
    expect(info[6_000]!.line).toBe(6_009);
    expect(info.at(-1)!.line).toBe(6_008 + 4_000);
    expect(whole.diagnostics.at(-1)!.message).toContain("2,000 more diagnostics not listed");
    expect(whole.unlistedDiagnostics).toBe(2_000);
    // Cut between the goroutines, the fragments agree.
    const r = await parseInFragments(bytes, [boundaries(bytes)[0]!]);
    expect(r.clean).toBe(true);
    expect(r.info.diagnostics).toEqual(whole.diagnostics);
  });
});
