// Times the spawn graph on a dump: parse (kept in memory), per-goroutine graphology graph, aggregated tree.
// Bundled and run by run.mjs; prints one JSON line.
import { createReadStream } from "node:fs";
import type { Goroutine } from "@gosleuth/model";
import { parseStream } from "@gosleuth/parser";
import { AggregateTreeBuilder, buildSpawnGraph } from "@gosleuth/spawn-graph";

const file = process.argv[2]!;
const t0 = performance.now();
const goroutines: Goroutine[] = [];
const s = parseStream(createReadStream(file, { highWaterMark: 1 << 20 }));
for await (const batch of s.batches()) for (const g of batch) if (g.kind === "goroutine") goroutines.push(g);
const t1 = performance.now();
const graph = buildSpawnGraph(goroutines);
const t2 = performance.now();
const b = new AggregateTreeBuilder();
for (const g of goroutines) b.add(g);
const tree = b.finish();
const t3 = performance.now();
console.log(
  JSON.stringify({
    goroutines: goroutines.length,
    parseSeconds: (t1 - t0) / 1000,
    graphSeconds: (t2 - t1) / 1000,
    graphNodes: graph.order,
    graphEdges: graph.size,
    aggregateSeconds: (t3 - t2) / 1000,
    aggregateNodes: tree.nodes.length,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
