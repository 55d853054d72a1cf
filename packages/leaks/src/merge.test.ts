// A leak analysis built in parts (one analyzer per byte range on the CLI's threads, merged in input
// order through plain data) gives the report one analyzer gives.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fixture } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { LeakAnalyzer } from "./analyze.ts";

describe("LeakAnalyzer.partial / merge", () => {
  for (const f of [
    "labeled/leakybank/leakybank-t0320s-debug2.txt",
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "generated/go-versions/go1.19-spawnfarm-stack.txt",
    "generated/go-versions/go1.26-spawnfarm-stack.txt",
    // A channel cycle and a stuck WaitGroup: the holders' sketch and the waiters travel too.
    "labeled/relay/relay-t0150s-debug2.txt.gz",
  ]) {
    it(`gives the one-analyzer report on ${f}`, () => {
      const raw = readFileSync(fixture(f));
      const { goroutines } = parseDump(f.endsWith(".gz") ? gunzipSync(raw) : raw);
      const one = new LeakAnalyzer();
      for (const g of goroutines) one.add(g);
      const whole = one.finish();
      expect(whole.findings.length).toBeGreaterThan(3);
      if (f.includes("relay"))
        expect(whole.incidents.map((x) => x.kind)).toEqual(["channel cycle", "stuck WaitGroup"]);
      for (const parts of [2, 9]) {
        const merged = new LeakAnalyzer();
        const size = Math.ceil(goroutines.length / parts);
        for (let i = 0; i < goroutines.length; i += size) {
          const a = new LeakAnalyzer();
          for (const g of goroutines.slice(i, i + size)) a.add(g);
          merged.merge(structuredClone(a.partial()));
        }
        expect(merged.finish()).toEqual(whole);
      }
    });
  }
});
