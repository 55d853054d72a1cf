// StackMemo against the interners it stands in for: on real dumps, what it finds for a goroutine is always
// that goroutine's own signature and creator site, and it finds most goroutines of a big dump.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { Goroutine } from "@gosleuth/model";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { SignatureInterner, SiteInterner } from "./intern.ts";
import { StackMemo } from "./stack-memo.ts";

/** Feeds goroutines through a memo in front of the interners; every hit is checked against them. */
function feed(goroutines: readonly Goroutine[]): { hits: number } {
  const sigs = new SignatureInterner();
  const sites = new SiteInterner();
  const memo = new StackMemo<{ sig: number; site: number }>();
  let hits = 0;
  for (const g of goroutines) {
    const truth = { sig: sigs.id(g), site: sites.id(g.createdBy) };
    const known = memo.get(g);
    if (known === undefined) memo.set(g, truth);
    else {
      hits++;
      expect(known).toEqual(truth);
    }
  }
  return { hits };
}

describe("StackMemo", () => {
  for (const f of [
    "generated/go-versions/go1.26-spawnfarm-stack.txt",
    "generated/go-versions/go1.19-spawnfarm-stack.txt",
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "labeled/leakybank/leakybank-t0320s-debug2.txt",
  ]) {
    it(`finds only a goroutine's own signature and site, in file order and shuffled (${f})`, () => {
      const { goroutines } = parseDump(readFileSync(fixture(f), "utf8"));
      const { hits } = feed(goroutines);
      // Shared frames are the parser's doing: most of spawnfarm's goroutines repeat an earlier stack,
      // hardly any of Caddy's (pointer arguments differ between connections).
      if (f.includes("spawnfarm")) expect(hits).toBeGreaterThan(goroutines.length / 3);
      const shuffled = goroutines.map((g, i) => [(i * 7919) % 1013, g] as const).sort((a, b) => a[0] - b[0]);
      feed(shuffled.map(([, g]) => g));
    });
  }

  it("does not match another state class, creator line or elision (copies of a real goroutine)", () => {
    const { goroutines } = parseDump(
      readFileSync(fixture("generated/go-versions/go1.26-spawnfarm-stack.txt"), "utf8"),
    );
    const g = goroutines.find((x) => x.createdBy !== undefined && x.frames.length > 1)!;
    const memo = new StackMemo<string>();
    memo.set(g, "g");
    expect(memo.get(g)).toBe("g");
    // Built inline: the same frame objects with one thing changed.
    expect(memo.get({ ...g, frames: [...g.frames] })).toBe("g");
    expect(
      memo.get({ ...g, stateClass: g.stateClass === "select" ? "chan-receive" : "select" }),
    ).toBeUndefined();
    expect(memo.get({ ...g, createdBy: { ...g.createdBy!, line: g.createdBy!.line + 1 } })).toBeUndefined();
    expect(memo.get({ ...g, createdBy: undefined })).toBeUndefined();
    expect(memo.get({ ...g, elided: [{ index: 1, count: 3 }] })).toBeUndefined();
    expect(memo.get({ ...g, frames: g.frames.slice(0, -1) })).toBeUndefined();
  });
});
