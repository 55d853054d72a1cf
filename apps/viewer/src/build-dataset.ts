// Which parser, tree builder and leak analysis the worker runs: one place, so the browser tests compute the same in Node.
import { analyzeLeaks } from "@gosleuth/leaks";
import type { DumpInfo, Goroutine } from "@gosleuth/model";
import { parseStream } from "@gosleuth/parser";
import { type IncidentInput, incidentInputs, spawnTree, suspects } from "./adapters.ts";
import { type Dataset, Dataset as DatasetImpl } from "./dataset.ts";
import type { FirstGoroutines } from "./incident.ts";

export interface Built {
  readonly dataset: Dataset;
  readonly info: DumpInfo;
  /** Goroutines counted by debug=1 groups (which carry no per-goroutine data). */
  readonly groupTotal: number;
  /** Problems met while building (a package that failed, a tree that could not be matched). */
  readonly notes: readonly string[];
  /** The first goroutine printed (the crash and the signal name it) and the count. */
  readonly first: FirstGoroutines;
  /** The leak analysis' incidents of several groups. */
  readonly incidents: readonly IncidentInput[];
}

/**
 * Parses a (decompressed) dump stream into a finished Dataset. `onItem` runs after every
 * goroutine so the caller can report progress; returns null when `signal` aborted.
 */
export async function buildDataset(
  text: ReadableStream<Uint8Array>,
  opts: { signal?: AbortSignal; onItem?(d: Dataset): void } = {},
): Promise<Built | null> {
  const d = new DatasetImpl();
  // The page shows the first lines of text before the dump, never the rest of a log around it: a log's
  // own lines past the first 10,000 are not kept (the parser's `lossless: false`).
  const ps = parseStream(text, { lossless: false, ...(opts.signal ? { signal: opts.signal } : {}) });
  let groupTotal = 0;
  let first: Goroutine | null = null;
  let lastYield = performance.now();
  for await (const item of ps) {
    if (opts.signal?.aborted) return null;
    // The parser hands out buffered goroutines through promises alone, which never lets the
    // worker's message queue run: yield to it now and then so a cancel is heard mid-parse.
    if (performance.now() - lastYield > 50) {
      await new Promise((r) => setTimeout(r, 0));
      lastYield = performance.now();
      if (opts.signal?.aborted) return null;
    }
    if (item.kind === "goroutine") {
      first ??= item;
      d.add(item);
    } else d.addProfileGroup(item);
    opts.onItem?.(d);
  }
  if (opts.signal?.aborted) return null;
  const info = await ps.info;
  if (info.format === "unknown" && d.size === 0) {
    const bad = info.diagnostics.find((x) => x.severity === "error");
    throw new Error(
      bad?.message.startsWith("@gosleuth/")
        ? bad.message
        : "@gosleuth/parser: this file is not a goroutine dump",
    );
  }
  groupTotal = d.profileTotal;
  const notes: string[] = [];
  if (d.size === 0 && groupTotal > 0) {
    notes.push(
      "This is a debug=1 profile: it has no goroutine ids, states or creators, so there is no spawn tree; the list shows its groups. Take a debug=2 dump (?debug=2) for the tree.",
    );
  }
  const goroutines = d.goroutines;
  const report = analyzeLeaks({ format: info.format, goroutines, preamble: info.preamble });
  d.finish(spawnTree(goroutines), suspects(report.findings, report.incidents));
  return {
    dataset: d,
    info,
    groupTotal,
    notes,
    first: { first, count: d.size },
    incidents: incidentInputs(report.findings, report.incidents),
  };
}
