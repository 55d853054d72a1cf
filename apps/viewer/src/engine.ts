// Which parser, tree builder and leak analysis the worker runs: one place, so the browser tests compute the same in Node.
import type { DumpInfo, StreamItem } from "@gosleuth/model";
import * as parser from "@gosleuth/parser";
import { type Dataset, Dataset as DatasetImpl, type FindingInput, type TreeBuilder } from "./dataset.ts";
import { devParseStream } from "./dev-parser.ts";
import { interimTree } from "./interim-tree.ts";

export interface ParseStreamLike extends AsyncIterable<StreamItem> {
  readonly info: Promise<DumpInfo>;
}

export type ParseStreamFn = (
  source: ReadableStream<Uint8Array>,
  opts?: { onProgress?(bytesRead: number): void; signal?: AbortSignal },
) => ParseStreamLike;

export function parseStreamFn(): ParseStreamFn {
  const fn = (parser as unknown as { parseStream?: ParseStreamFn }).parseStream;
  return typeof fn === "function" ? fn : devParseStream;
}

export function treeBuilder(): TreeBuilder {
  return interimTree;
}

export function findingsOf(_d: Dataset): FindingInput[] {
  return [];
}

export interface Built {
  readonly dataset: Dataset;
  readonly info: DumpInfo;
  /** Goroutines counted by debug=1 groups (which carry no per-goroutine data). */
  readonly groupTotal: number;
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
  const ps = parseStreamFn()(text, opts.signal ? { signal: opts.signal } : {});
  let groupTotal = 0;
  for await (const item of ps) {
    if (opts.signal?.aborted) return null;
    if (item.kind === "goroutine") d.add(item);
    else groupTotal += item.count;
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
  d.finish(treeBuilder(), findingsOf(d));
  return { dataset: d, info, groupTotal };
}
