// The warm-up sample (warm-up.ts) must take the fast path's branches (it exists for that), parse cleanly,
// and leave nothing behind: the counters as they were, and any later parse exactly as without it.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { StreamItem } from "@gosleuth/model";
import { expect, it } from "vitest";
import { modelKey } from "../test/model-key.ts";
import { parseDump } from "./index.ts";
import { fastPathStats } from "./parser.ts";
import { warmUp, warmUpText } from "./warm-up.ts";

it("the sample is read by the fast path alone, bodies predicted, and parses without a diagnostic", () => {
  const before = { ...fastPathStats };
  const d = parseDump(warmUpText());
  expect(d.diagnostics).toEqual([]);
  expect(d.format).toBe("debug2");
  expect(fastPathStats.blocks - before.blocks).toBe(d.goroutines.length);
  expect(fastPathStats.predicted - before.predicted).toBeGreaterThan(50);
  // The branches it is there for: recursion, both elision markers, `created by` with and without the
  // parent's id, several kinds after one header tail, and a last goroutine without a creator.
  const gs = d.goroutines;
  expect(gs.some((g) => g.frames.length > 20 && g.frames[5] === g.frames[6])).toBe(true);
  expect(gs.some((g) => g.elided[0]?.count === null)).toBe(true);
  expect(gs.some((g) => g.elided[0]?.count === 7)).toBe(true);
  expect(gs.some((g) => g.createdBy?.parentId !== undefined)).toBe(true);
  expect(gs.some((g) => g.createdBy !== undefined && g.createdBy.parentId === undefined)).toBe(true);
  const firstPairs = new Set(gs.filter((g) => g.state === "chan receive").map((g) => g.frames[0]!.args));
  expect(firstPairs.size).toBeGreaterThan(1);
  expect(gs.at(-1)?.createdBy).toBeUndefined();
});

it("hands the sample's goroutines to the consumer and leaves the counters and later parses alone", () => {
  const text = readFileSync(fixture("generated/servers/caddy-2.11-t0-debug2.txt"));
  const first = modelKey(parseDump(text));
  const counters = { ...fastPathStats };
  const items: StreamItem[] = [];
  warmUp((batch) => items.push(...batch));
  expect({ ...fastPathStats }).toEqual(counters);
  expect(items.length).toBe(parseDump(warmUpText()).goroutines.length);
  expect(modelKey(parseDump(text))).toBe(first);
});
