// The proof on spawnfarm dumps, whose program (shared corpus programs/spawnfarm) fixes the true tree.
import { createReadStream, readFileSync } from "node:fs";
import { fixture, hasSharedCorpus, LARGE_DUMP_GZ } from "@gosleuth/fixtures";
import { parseDump, parseStream } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { AggregateTreeBuilder, buildAggregateTree } from "./aggregate.ts";
import { buildSpawnGraph, goroutineKey } from "./graph.ts";
import { ancestors, descendants, orphans } from "./queries.ts";
import { renderTreeText } from "./render.ts";
import { spawnViewOf } from "./spawn-view.ts";

const REQUEST_FUNCS = [
  "main.(*Conn).readLoop",
  "main.(*Conn).writeLoop",
  "main.(*Conn).lockWaiter",
  "main.(*Conn).sleeper",
  "main.(*Conn).deep",
  "main.(*Conn).handleRequest.func1",
  "main.(*Conn).handleRequest.func2",
  "main.(*Conn).rlockWaiter",
  "main.(*Conn).condWaiter",
];

const start = (g: { frames: readonly { fn: { full: string } }[] }) =>
  g.frames[g.frames.length - 1]?.fn.full ?? "";

describe.each(["1.21", "1.22", "1.23", "1.24", "1.26", "1.27"])(
  "spawnfarm go%s (parent ids printed)",
  (v) => {
    const dump = parseDump(readFileSync(fixture(`generated/go-versions/go${v}-spawnfarm-stack.txt`), "utf8"));
    const graph = buildSpawnGraph(dump.goroutines);
    const byKey = new Map(dump.goroutines.map((g) => [goroutineKey(g), g]));
    const startOf = (key: string) => {
      const g = byKey.get(key);
      return g ? start(g) : `(${key})`;
    };

    it("every request goroutine hangs under a serveConn, every serveConn under a Serve, every Serve under main", () => {
      let requests = 0;
      for (const g of dump.goroutines) {
        const s = start(g);
        const parent = graph.inNeighbors(goroutineKey(g))[0];
        if (
          REQUEST_FUNCS.some((f) => s.startsWith(f)) ||
          (/Queue\[\.\.\.\]\)\.Pop|\.func\d+$/.test(s) && g.createdBy?.fn.full.includes("handleRequest"))
        ) {
          requests++;
          expect(startOf(parent!)).toBe("main.(*Server).serveConn");
        } else if (s === "main.(*Server).serveConn") {
          expect(startOf(parent!)).toBe("main.(*Server).Serve");
        } else if (s === "main.(*Server).Serve") {
          expect(startOf(parent!)).toBe("main.main");
        }
      }
      expect(requests).toBeGreaterThan(100);
      const deep = dump.goroutines.find((g) => start(g) === "main.(*Conn).deep")!;
      expect(ancestors(graph, goroutineKey(deep)).map(startOf)).toEqual([
        "main.(*Conn).deep",
        "main.(*Server).serveConn",
        "main.(*Server).Serve",
        "main.main",
      ]);
      expect(1 + descendants(graph, "1").length).toBeGreaterThan(dump.goroutines.length * 0.9);
      expect(orphans(graph)).toEqual([]);
    });

    it("the aggregated tree collapses siblings and its counts add up to the total", () => {
      const tree = buildAggregateTree(dump.goroutines);
      expect(tree.nodes.filter((n) => !n.ghost).reduce((a, n) => a + n.count, 0)).toBe(
        dump.goroutines.length,
      );
      const serveConn = tree.nodes.filter((n) => n.function === "main.(*Server).serveConn");
      expect(serveConn.length).toBeLessThanOrEqual(2);
      const parent = tree.nodes.find((n) => n.id === serveConn[0]!.parent)!;
      expect(parent.function).toBe("main.(*Server).Serve");
      expect(tree.nodes.length).toBeLessThan(dump.goroutines.length / 3);
      expect(renderTreeText(tree, { depth: 2 })).toContain("main.(*Server).serveConn");
    });

    it("top spawning sites: serveConn's go statements own the crowds", () => {
      const view = spawnViewOf(dump.goroutines, 3);
      expect(view.topSpawningSites[0]!.site).toMatch(/^main\.main /);
      expect(view.goroutines).toBe(dump.goroutines.length);
    });
  },
);

describe("spawnfarm go1.19 (no parent ids: creator-site fallback)", () => {
  const dump = parseDump(readFileSync(fixture("generated/go-versions/go1.19-spawnfarm-stack.txt"), "utf8"));
  it("gives the same shape by site where the creating function is still on a stack", () => {
    const tree = buildAggregateTree(dump.goroutines);
    expect(tree.nodes.filter((n) => !n.ghost).reduce((a, n) => a + n.count, 0)).toBe(dump.goroutines.length);
    const byId = new Map(tree.nodes.map((n) => [n.id, n]));
    const parentFn = (n: { parent: string | null }) => (n.parent ? byId.get(n.parent)?.function : undefined);
    const stack = (n: { signature: string }) => n.signature;
    let checked = 0;
    for (const n of tree.nodes) {
      const creator = n.creator?.function ?? "";
      if (creator === "main.main") expect(parentFn(n)).toBe("main.main");
      if (/^main\.\(\*Server\)\.Serve(\.func1)?$/.test(creator)) {
        expect(stack(byId.get(n.parent!)!)).toContain("main.(*Server).Serve ");
        checked++;
      }
      if (creator === "main.(*Server).serveConn") {
        expect(stack(byId.get(n.parent!)!)).toContain("main.(*Server).serveConn ");
        checked++;
      }
      // handleRequest returned long ago (it only starts goroutines), so no stack shows it: its site
      // becomes a root of its own ("not in dump"), still grouping what it spawned.
      if (creator === "main.(*Conn).handleRequest") {
        expect(byId.get(n.parent!)).toMatchObject({ ghost: true, function: "main.(*Conn).handleRequest" });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(tree.nodes.some((n) => n.viaSite)).toBe(true);
    const graph = buildSpawnGraph(dump.goroutines);
    const serve = dump.goroutines.find((g) => g.createdBy?.fn.full === "main.main")!;
    // goroutine → its site node → goroutine 1 (the only goroutine running main.main)
    expect(ancestors(graph, goroutineKey(serve))).toEqual([
      goroutineKey(serve),
      expect.stringMatching(/^site:main\.main /),
      "1",
    ]);
  });
});

describe.skipIf(!hasSharedCorpus)("the 216k-goroutine dump (shared corpus)", () => {
  it("streams into fewer than 2,000 aggregated nodes with no goroutine lost", async () => {
    const b = new AggregateTreeBuilder();
    const s = parseStream(createReadStream(LARGE_DUMP_GZ));
    for await (const batch of s.batches()) for (const g of batch) if (g.kind === "goroutine") b.add(g);
    const tree = b.finish();
    expect(tree.total).toBe(216_017);
    expect(tree.nodes.filter((n) => !n.ghost).reduce((a, n) => a + n.count, 0)).toBe(216_017);
    expect(tree.nodes.length).toBeLessThan(2000);
  });
});
