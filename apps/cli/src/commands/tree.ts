// `gosleuth tree`: the spawn tree, aggregated by signature (streaming) or per goroutine.
import { type DumpInfo, formatCount, type Goroutine } from "@gosleuth/model";
import {
  buildSpawnGraph,
  descendants,
  goroutineKey,
  OUTLINE_DEPTH,
  outlineCutNote,
  renderTreeDot,
  renderTreeText,
  type SpawnGraph,
  treeToJson,
} from "@gosleuth/spawn-graph";
import { plain } from "@gosleuth/text";
import { CliError } from "../errors.ts";
import { writeJson } from "../format.ts";
import { type FetchOptions, parseInput } from "../input.ts";
import { consumeInput } from "../parallel.ts";

export interface TreeOptions {
  json?: boolean;
  text?: boolean;
  dot?: boolean;
  root?: string;
  depth?: number;
  minCount?: number;
  perGoroutine?: boolean;
  threads?: string;
}

export async function treeCommand(input: string, o: TreeOptions, f: FetchOptions): Promise<void> {
  if ([o.json, o.text, o.dot].filter(Boolean).length > 1)
    throw new CliError("choose one of --json, --text, --dot");
  if (o.perGoroutine) {
    const p = await parseInput(input, f);
    const goroutines: Goroutine[] = [];
    for await (const batch of p.stream.batches())
      for (const g of batch) if (g.kind === "goroutine") goroutines.push(g);
    const info = await p.finish();
    if (goroutines.length === 0) throw new CliError(noTree(p.name, info));
    printPerGoroutine(buildSpawnGraph(goroutines), o);
    return;
  }
  const { consumer, info, name } = await consumeInput("tree", input, { threads: o.threads, fetch: f });
  const b = consumer.builder;
  if (b.count === 0) throw new CliError(noTree(name, info));
  // Timed only when asked: reading `performance` loads node:perf_hooks (about 2 ms of start-up).
  const t0 = process.env.GOSLEUTH_DEBUG ? performance.now() : 0;
  const tree = b.finish();
  if (process.env.GOSLEUTH_DEBUG) {
    process.stderr.write(
      `gosleuth: aggregated ${b.count} goroutines into ${tree.nodes.length} nodes in ${(performance.now() - t0).toFixed(0)} ms\n`,
    );
  }
  if (o.root && !tree.nodes.some((n) => n.id === o.root)) {
    throw new CliError(
      `--root ${o.root}: no such aggregated node (ids look like n12; see --json, or use --per-goroutine with a goroutine id)`,
    );
  }
  if (o.json) {
    const doc = treeToJson(tree);
    let nodes = doc.nodes;
    if (o.minCount) nodes = nodes.filter((n) => n.ghost || n.count >= o.minCount!);
    if (o.depth !== undefined) nodes = nodes.filter((n) => n.depth <= o.depth!);
    // A node at a time (writeJson): one per group.
    await writeJson({ total: doc.total, nodes }, 0);
  } else if (o.dot) process.stdout.write(renderTreeDot(tree));
  else {
    const opts: { depth?: number; minCount?: number; root?: string } = {};
    if (o.depth !== undefined) opts.depth = o.depth;
    if (o.minCount !== undefined) opts.minCount = o.minCount;
    if (o.root !== undefined) opts.root = o.root;
    const text = renderTreeText(tree, opts);
    process.stdout.write(
      `${formatCount(tree.total)} goroutines in ${formatCount(tree.nodes.length)} groups\n`,
    );
    // `2 × 1,230` beside `249` reads as two totals unless said otherwise.
    if (/^[│├└─ ]*[\d,]+ × [\d,]+ /m.test(text))
      process.stdout.write("(N: goroutines in the group; P × N: P parent goroutines started N each)\n");
    process.stdout.write(text);
  }
}

/** A node's line: dump text with control characters escaped and long names cut. */
function label(graph: SpawnGraph, key: string): string {
  const a = graph.getNodeAttributes(key);
  if (a.kind === "goroutine")
    return `goroutine ${key} [${plain(a.state)}${a.waitMinutes ? `, ${a.waitMinutes} minutes` : ""}] ${plain(a.start)}`;
  if (a.kind === "ghost") return `goroutine ${a.id} (exited; created ${plain(a.creatorFunction)} children)`;
  return `site ${plain(a.function)} ${plain(a.file)}:${a.line}`;
}

/** A Graphviz quoted string: backslashes and quotes escaped, so a label cannot end the string. */
const dotQuote = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function printPerGoroutine(graph: SpawnGraph, o: TreeOptions): void {
  let starts: string[];
  if (o.root) {
    if (!graph.hasNode(o.root)) throw new CliError(`--root ${o.root}: no goroutine with that id in the dump`);
    starts = [o.root];
  } else starts = graph.filterNodes((n) => graph.inDegree(n) === 0);
  if (o.json) {
    const nodes: unknown[] = [];
    for (const r of starts) {
      for (const key of [r, ...descendants(graph, r)]) {
        const a = graph.getNodeAttributes(key);
        const parent = graph.inNeighbors(key)[0] ?? null;
        if (a.kind === "goroutine") {
          const g = a.goroutine;
          nodes.push({
            id: goroutineKey(g),
            parent,
            count: 1,
            function: a.start,
            creator: g.createdBy
              ? { function: g.createdBy.fn.full, file: g.createdBy.file, line: g.createdBy.line }
              : null,
            state: g.state,
            stateClass: g.stateClass,
            waitMinutes: { min: g.waitMinutes, max: g.waitMinutes },
            sampleIds: [g.id],
          });
        } else
          nodes.push({
            id: key,
            parent,
            count: 0,
            ghost: a.kind === "ghost",
            site: a.kind === "site",
            label: label(graph, key),
          });
      }
    }
    process.stdout.write(`${JSON.stringify({ nodes })}\n`);
    return;
  }
  if (o.dot) {
    const out = ["digraph spawn {", "  rankdir=LR;", '  node [shape=box, fontname="monospace"];'];
    for (const r of starts) {
      for (const key of [r, ...descendants(graph, r)]) {
        out.push(`  ${dotQuote(key)} [label=${dotQuote(label(graph, key))}];`);
        for (const c of graph.outNeighbors(key)) out.push(`  ${dotQuote(key)} -> ${dotQuote(c)};`);
      }
    }
    out.push("}");
    process.stdout.write(`${out.join("\n")}\n`);
    return;
  }
  // Depth first, children in order, from an explicit stack: a deep spawn chain overflowed the call stack.
  const maxDepth = o.depth ?? OUTLINE_DEPTH;
  let cutByDefault = false;
  type Visit = { key: string; prefix: string; last: boolean; depth: number; top: boolean };
  const lines: string[] = [];
  const stack: Visit[] = [];
  for (let i = starts.length - 1; i >= 0; i--)
    stack.push({ key: starts[i]!, prefix: "", last: true, depth: 0, top: true });
  while (stack.length > 0) {
    const { key, prefix, last, depth, top } = stack.pop()!;
    lines.push(`${top ? "" : `${prefix}${last ? "└─ " : "├─ "}`}${label(graph, key)}`);
    const kids = graph.outNeighbors(key);
    const next = top ? "" : `${prefix}${last ? "   " : "│  "}`;
    if (depth >= maxDepth) {
      if (kids.length) {
        lines.push(`${next}└─ … ${kids.length} more`);
        if (o.depth === undefined) cutByDefault = true;
      }
      continue;
    }
    for (let i = kids.length - 1; i >= 0; i--)
      stack.push({ key: kids[i]!, prefix: next, last: i === kids.length - 1, depth: depth + 1, top: false });
  }
  if (cutByDefault) lines.push(outlineCutNote("goroutine"));
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Why an input gives no spawn tree, and for a profile what to fetch instead. */
function noTree(name: string, info: DumpInfo): string {
  if (info.format === "race") {
    return `${name}: a race report has no goroutine dump to build a spawn tree from (${info.races.length} race report${info.races.length === 1 ? "" : "s"}: the race detector prints each access and where its goroutines were created, not every goroutine)`;
  }
  if (info.format === "debug1" || info.format === "debug0") {
    const which = info.format === "debug1" ? "debug=1" : "debug=0";
    return `${name}: a ${which} profile has no goroutines, only a count per stack: it has no goroutine ids and parent ids, so no spawn tree. Fetch …/debug/pprof/goroutine?debug=2 for one (leaks and summary read this profile)`;
  }
  return `${name}: ${info.format} input has no goroutines, so there is no spawn tree`;
}
