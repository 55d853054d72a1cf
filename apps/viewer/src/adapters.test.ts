// Leak findings on the tree: every node holding a finding's goroutines shows it (leakybank, and the 216k dump when present).
import { createReadStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import { fixture, hasSharedCorpus, LARGE_DUMP_GZ } from "@gosleuth/fixtures";
import { creatorSite, goroutineSignature } from "@gosleuth/spawn-graph";
import { describe, expect, it } from "vitest";
import { incidentViews } from "./adapters.ts";
import { type Built, buildDataset } from "./build-dataset.ts";

/**
 * Checks the marks against each goroutine's own signature and creator site, computed here: the
 * nodes holding goroutines of a finding's group are exactly the finding's nodes, each marked at
 * least as severe, and they hold as many goroutines as the finding counts.
 */
function expectEveryNodeMarked(built: Built) {
  const d = built.dataset;
  const gs = d.goroutines;
  const nodes = d.nodes;
  const findings = d.findingViews;
  expect(findings.length).toBeGreaterThan(0);
  // The finding of a goroutine, by the key parts: signature, then creator site ("" for roots).
  const bySig = new Map<string, Map<string, number>>();
  findings.forEach((f, i) => {
    const at = f.id.lastIndexOf("\n@");
    const sig = f.id.slice(0, at);
    const site = f.id.slice(at + 2);
    let m = bySig.get(sig);
    if (!m) bySig.set(sig, (m = new Map()));
    m.set(site === "root" ? "" : site, i);
  });
  const holding = findings.map(() => new Map<string, number>());
  for (let pos = 0; pos < gs.length; pos++) {
    const g = gs[pos]!;
    const fi = bySig.get(goroutineSignature(g))?.get(creatorSite(g.createdBy));
    if (fi === undefined) continue;
    const node = d.nodeIdAtPosition(pos)!;
    holding[fi]!.set(node, (holding[fi]!.get(node) ?? 0) + 1);
  }
  const rank = { high: 3, medium: 2, low: 1, info: 0 } as const;
  findings.forEach((f, i) => {
    const h = holding[i]!;
    expect([...h.keys()].sort(), f.title).toEqual([...f.nodeIds].sort());
    expect([...h.values()].reduce((a, b) => a + b, 0)).toBe(f.count);
    for (const id of h.keys()) {
      const n = nodes.find((x) => x.id === id)!;
      expect(n.count).toBe(h.get(id));
      expect(rank[n.severity ?? "info"]).toBeGreaterThanOrEqual(rank[f.severity]);
    }
  });
  return findings;
}

describe("leak findings on the spawn tree", () => {
  it("leakybank t0320s: the high finding of 6,317 goroutines marks both of its nodes", async () => {
    const text = readFileSync(fixture("labeled/leakybank/leakybank-t0320s-debug2.txt"), "utf8");
    const built = (await buildDataset(new Blob([text]).stream()))!;
    const findings = expectEveryNodeMarked(built);
    const f = findings.find((x) => x.count === 6317)!;
    expect(f.severity).toBe("high");
    const counts = f.nodeIds.map((id) => built.dataset.nodes.find((n) => n.id === id)!.count);
    expect(counts.sort((a, b) => b - a)).toEqual([3857, 2460]);
    // The list's group of these goroutines carries the severity too.
    const groups = built.dataset.groupViews().filter((g) => g.count === 6317);
    expect(groups.map((g) => g.severity)).toEqual(["high"]);
  });

  it("stuckcall t0150s: the stuck call's caller, transport loops and peer are marked together as one incident", async () => {
    const text = gunzipSync(
      readFileSync(fixture("labeled/stuckcall/stuckcall-t0150s-debug2.txt.gz")),
    ).toString("utf8");
    const built = (await buildDataset(new Blob([text]).stream()))!;
    const findings = expectEveryNodeMarked(built);
    const members = findings.filter((f) =>
      f.reasons[0]?.startsWith("incident I1 (stuck outbound call, 4 groups): "),
    );
    // The transport loops are known-benign alone: without the incident they would not be marked at all.
    expect(members.map((f) => f.title.replace(/ at .*/, "")).sort()).toEqual([
      "benign: 747 × net/http.(*persistConn).readLoop",
      "benign: 747 × net/http.(*persistConn).writeLoop",
      "blocked-chan-receive: 747 × net/http.(*conn).serve",
      "blocked-select: 747 × net/http.(*conn).serve",
    ]);
    expect(new Set(members.map((f) => f.severity)).size).toBe(1);
    expect(members.every((f) => f.nodeIds.length > 0)).toBe(true);
  });

  it("stuckcall t0150s: the list's incident holds the nodes and groups of its four findings", async () => {
    const text = gunzipSync(
      readFileSync(fixture("labeled/stuckcall/stuckcall-t0150s-debug2.txt.gz")),
    ).toString("utf8");
    const built = (await buildDataset(new Blob([text]).stream()))!;
    const d = built.dataset;
    const groups = d.groupViews();
    const views = incidentViews(built.incidents, d.findingViews, groups);
    expect(views.map((x) => [x.id, x.kind, x.members.length])).toEqual([["I1", "stuck outbound call", 4]]);
    const x = views[0]!;
    expect(x.title).toContain("747 requests stuck");
    // Its nodes: those of the findings the marks name as its members (checked against each goroutine above).
    const memberNodes = d.findingViews
      .filter((f) => f.reasons[0]?.startsWith("incident I1 "))
      .flatMap((f) => f.nodeIds);
    expect([...x.nodeIds].sort()).toEqual([...new Set(memberNodes)].sort());
    // Its groups: the caller, both transport loops and the peer, 747 goroutines each.
    const mine = groups.filter((g) => x.groups.includes(g.index));
    expect(mine.map((g) => g.count)).toEqual([747, 747, 747, 747]);
    expect(mine.every((g) => g.nodeId !== null && x.nodeIds.includes(g.nodeId))).toBe(true);
    expect(x.rootCause).toMatch(/ stuckcall\/main\.go:\d+$/);
  });

  it.skipIf(!hasSharedCorpus)(
    "the 216k dump: every node holding a finding's goroutines shows it",
    async () => {
      const stream = Readable.toWeb(createReadStream(LARGE_DUMP_GZ).pipe(createGunzip()));
      const built = (await buildDataset(stream as ReadableStream<Uint8Array>))!;
      expect(built.dataset.size).toBe(216_017);
      const findings = expectEveryNodeMarked(built);
      // Groups there span many nodes (one per server): the marks must reach all of them.
      expect(Math.max(...findings.map((f) => f.nodeIds.length))).toBeGreaterThan(1);
    },
    180_000,
  );
});
