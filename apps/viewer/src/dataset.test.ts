// The worker's data layer on a real dump: totals, groups, tree membership, filter counts and on-demand queries.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDataset } from "./build-dataset.ts";
import type { Dataset } from "./dataset.ts";

const FILE = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
const text = readFileSync(FILE, "utf8");
/** Counted straight from the text, independently of any parser. */
const headers = [...text.matchAll(/^goroutine (\d+) \[([^\],]*)/gm)];

let d: Dataset;
beforeAll(async () => {
  const built = await buildDataset(new Blob([text]).stream());
  if (!built) throw new Error("not built");
  d = built.dataset;
});

describe("Dataset on caddy-2.11-t0-debug2", () => {
  it("uses @gosleuth/spawn-graph's aggregated tree, every goroutine matched to its node", async () => {
    const { parseDump } = await import("@gosleuth/parser");
    const { buildAggregateTree } = await import("@gosleuth/spawn-graph");
    const pkg = buildAggregateTree(parseDump(text).goroutines);
    expect(d.nodes.map((n) => [n.id, n.parent, n.ghost ? 0 : n.count])).toEqual(
      pkg.nodes.map((n) => [n.id, n.parent, n.ghost ? 0 : n.count]),
    );
    // Each node's sample goroutines are found in that node (a ghost's samples are its exited parents).
    for (const n of d.nodes.filter((x) => !x.ghost)) {
      for (const id of n.sampleIds) expect(d.goroutine(id)!.nodeId).toBe(n.id);
    }
  });

  it("gives back every goroutine exactly as parsed from its compact columns", async () => {
    const { parseDump } = await import("@gosleuth/parser");
    const { goroutineText } = await import("./frames.ts");
    const parsed = parseDump(text).goroutines;
    expect(d.goroutines.length).toBe(parsed.length);
    for (const g of parsed) {
      const detail = d.goroutine(g.id)!;
      expect(detail.text).toBe(goroutineText(g));
      expect(detail.labels).toEqual(g.labels ?? {});
      expect(detail.createdBy?.parentId).toBe(g.createdBy?.parentId);
    }
    const first = d.goroutines[0]!;
    expect({ ...first, frames: null }).toEqual({ ...parsed[0]!, frames: null, leading: undefined });
  });

  it("keeps every goroutine, and groups and tree nodes add up to the total", () => {
    expect(d.size).toBe(headers.length);
    expect(d.groupViews().reduce((s, g) => s + g.count, 0)).toBe(headers.length);
    expect(d.nodes.reduce((s, n) => s + n.count, 0)).toBe(headers.length);
  });

  it("counts filter matches per goroutine", () => {
    const io = headers.filter((m) => m[2] === "IO wait").length;
    const r = d.filter("state:io-wait");
    expect(r.matched).toBe(io);
    expect(r.groups.reduce((s, x) => s + x, 0)).toBe(io);
    expect(Object.values(r.nodes).reduce((s, x) => s + x, 0)).toBe(io);
    expect(d.filter("").matched).toBe(headers.length);
    expect(d.filter("state:no-such-state").matched).toBe(0);
  });

  it("lists a node's goroutines, and a goroutine's stack, creator and ancestry", () => {
    const big = [...d.nodes].sort((a, b) => b.count - a.count)[0]!;
    const m = d.membersOf(big.id, 10);
    expect(m.total).toBe(big.count);
    expect(m.members).toHaveLength(Math.min(10, big.count));
    const g = d.goroutine(m.members[0]!.id)!;
    expect(g.nodeId).toBe(big.id);
    expect(g.frames.length).toBeGreaterThan(0);
    expect(g.text.startsWith(`goroutine ${g.id} [`)).toBe(true);
    // The copied text is the goroutine exactly as the dump printed it, modulo argument spacing.
    const block = text.slice(text.indexOf(`goroutine ${g.id} [`)).split("\n\n")[0]!;
    expect(g.text.trimEnd().split("\n").length).toBe(block.trimEnd().split("\n").length);
    const path = d.path(g.id);
    expect(path[0]!.id).toBe(g.id);
    if (g.createdBy?.parentId !== undefined && path.length > 1)
      expect(path[1]!.id).toBe(g.createdBy.parentId);
  });

  it("copies any goroutine exactly as printed, its own arguments included (frames are shared within a group)", () => {
    const blocks = new Map(text.split("\n\n").map((b) => [Number(/^goroutine (\d+)/.exec(b)?.[1]), b]));
    const big = [...d.nodes].sort((a, b) => b.count - a.count)[0]!;
    const ids = d.membersOf(big.id, 50).members.map((m) => m.id);
    let differing = 0;
    for (const id of ids) {
      const block = blocks.get(id)!;
      expect(d.goroutine(id)!.text).toBe(`${block.trimEnd()}\n`);
      if (block !== blocks.get(ids[0]!)) differing++;
    }
    // The members do differ (arguments are pointers), so this checks more than the shared frames.
    expect(differing).toBeGreaterThan(0);
  });

  it("finds a goroutine by id and nodes by function", () => {
    const id = Number(headers[100]![1]);
    const hit = d.search(String(id), 5);
    expect(hit).toHaveLength(1);
    expect(hit[0]!.goroutineId).toBe(id);
    const byFn = d.search("persistConn", 5);
    expect(byFn.length).toBeGreaterThan(0);
    for (const h of byFn) expect(d.nodes.find((n) => n.id === h.nodeId)).toBeDefined();
  });
});

describe("Dataset on a debug=1 profile (caddy-2.11-t0-debug1)", () => {
  const profile = readFileSync(fixture("generated/servers/caddy-2.11-t0-debug1.txt"), "utf8");
  const total = Number(/^goroutine profile: total (\d+)/m.exec(profile)?.[1]);
  const groupCounts = [...profile.matchAll(/^(\d+) @ /gm)].map((m) => Number(m[1]));

  it("lists every group with its count, draws no tree, and says why", async () => {
    const built = (await buildDataset(new Blob([profile]).stream()))!;
    const groups = built.dataset.groupViews();
    expect(groups.map((g) => g.count)).toEqual(groupCounts);
    expect(groups.reduce((s, g) => s + g.count, 0)).toBe(total);
    expect(built.dataset.nodes).toHaveLength(0);
    expect(built.notes.join(" ")).toMatch(/debug=1 profile/);
    // The filter language works on the groups' frames too.
    const r = built.dataset.filter("fn:persistConn");
    const expected = groups.filter((g) =>
      g.frames.some((i) => built.dataset.frameTable[i]!.includes("persistConn")),
    );
    expect(r.matched).toBe(expected.reduce((s, g) => s + g.count, 0));
    expect(r.matched).toBeGreaterThan(0);
  });
});
