// Aggregated trees built in parts (as the CLI's threads do: one builder per byte range, merged in
// input order through plain data) equal the tree built by one builder.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { Goroutine } from "@gosleuth/model";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { AggregateTreeBuilder } from "./aggregate.ts";

function inParts(goroutines: readonly Goroutine[], parts: number) {
  const merged = new AggregateTreeBuilder();
  const size = Math.ceil(goroutines.length / parts);
  for (let i = 0; i < goroutines.length; i += size) {
    const b = new AggregateTreeBuilder();
    for (const g of goroutines.slice(i, i + size)) b.add(g);
    // Through structuredClone, as through postMessage: the partial must be plain data.
    merged.merge(structuredClone(b.partial()));
  }
  return merged.finish();
}

describe("AggregateTreeBuilder.partial / merge", () => {
  for (const f of [
    "generated/go-versions/go1.19-spawnfarm-stack.txt",
    "generated/go-versions/go1.26-spawnfarm-stack.txt",
    "generated/go-versions/go1.22-spawnfarm-sigquit-all.txt",
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "generated/servers/esbuild-0.28.2-go1.26-sigquit-serve-3min.txt",
  ]) {
    it(`gives the one-builder tree on ${f}`, () => {
      const { goroutines } = parseDump(readFileSync(fixture(f), "utf8"));
      const one = new AggregateTreeBuilder();
      for (const g of goroutines) one.add(g);
      const whole = one.finish();
      expect(whole.nodes.length).toBeGreaterThan(3);
      for (const parts of [2, 7]) expect(inParts(goroutines, parts)).toEqual(whole);
    });
  }

  it("keeps its own goroutines before merged ones", () => {
    const { goroutines } = parseDump(
      readFileSync(fixture("generated/go-versions/go1.26-spawnfarm-stack.txt"), "utf8"),
    );
    const one = new AggregateTreeBuilder();
    for (const g of goroutines) one.add(g);
    const b = new AggregateTreeBuilder();
    const half = goroutines.length >> 1;
    for (const g of goroutines.slice(0, half)) b.add(g);
    const rest = new AggregateTreeBuilder();
    for (const g of goroutines.slice(half)) rest.add(g);
    b.merge(rest.partial());
    expect(b.finish()).toEqual(one.finish());
  });
});
