// What LocalGroups keeps per signature and creator site: the groups of one stack from two creator sites
// stay apart, and at similarity `any` a stack's record holds no table of argument variants.
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { StackGrouper } from "./grouper.ts";

const g = (id: number, arg: string, creator: string) =>
  `goroutine ${id} [select]:\nmain.loop(${arg})\n\t/app/main.go:9 +0x1\ncreated by ${creator} in goroutine 1\n\t/app/main.go:5 +0x1\n`;

describe("LocalGroups", () => {
  it("keeps one stack's groups from different creator sites apart, in input order, however they interleave", () => {
    const text = [
      g(10, "0x1", "main.a"),
      g(11, "0x1", "main.b"),
      g(12, "0x1", "main.a"),
      g(13, "0x1", "main.c"),
      g(14, "0x1", "main.b"),
      g(15, "0x1", "main.c"),
    ].join("\n");
    for (const similarity of ["any", "pointers", "exact"] as const) {
      const s = new StackGrouper({ similarity });
      s.add(parseDump(text).goroutines);
      const groups = s.result().groups;
      expect(groups.map((x) => [x.createdBy?.function, x.ids])).toEqual([
        ["main.a", [10, 12]],
        ["main.b", [11, 14]],
        ["main.c", [13, 15]],
      ]);
    }
  });

  it("makes no table of argument variants at similarity any, nor for a stack's first variant (an empty Map costs 184 bytes a stack)", () => {
    const text = [g(10, "0x1", "main.a"), g(11, "0x2", "main.a"), g(12, "0x1", "main.b")].join("\n");
    const any = new StackGrouper({ similarity: "any", countsOnly: true });
    any.add(parseDump(text).goroutines);
    type Site = { byHash: Map<number, unknown> | null; firstBucket: unknown[] | null };
    const sites = (s: StackGrouper) =>
      (s as unknown as { order: { stack: Site }[] }).order.map((a) => a.stack);
    // Counts only at `any`: a group per signature and site found by the pair, no per-site record, and
    // the lists a counting group never fills shared (frozen).
    expect(sites(any)).toEqual([null, null]);
    const [ga, gb] = any.result({ copy: false }).groups;
    expect([ga!.count, gb!.count]).toEqual([2, 1]);
    expect(ga!.ids).toBe(gb!.ids);
    expect(ga!.parents).toBe(gb!.parents);
    expect(ga!.labels).toBe(gb!.labels);
    expect(Object.isFrozen(ga!.ids) && Object.isFrozen(ga!.labels)).toBe(true);
    // `exact` tells the variants apart by their argument keys: the first variant's bucket is kept
    // inline, the table is made with the second.
    const exact = new StackGrouper({ similarity: "exact" });
    exact.add(parseDump(text).goroutines);
    expect(sites(exact).map((t) => [t.firstBucket?.length, t.byHash?.size])).toEqual([
      [1, 1],
      [1, 1],
      [1, undefined],
    ]);
    expect(exact.result().groups.map((x) => x.ids)).toEqual([[10], [11], [12]]);
  });
});
