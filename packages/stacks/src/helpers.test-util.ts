// Test helper: a dump file grouped and reported in one pass, as the CLI's one-thread path does.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Dump } from "@gosleuth/model";
import { parseDump } from "@gosleuth/parser";
import type { Similarity } from "./args.ts";
import { StackGrouper } from "./grouper.ts";
import { buildReport, type ReportOptions, type StacksReport } from "./report.ts";

export function loadDump(path: string): Dump {
  return parseDump(readFileSync(path));
}

export function reportOf(path: string, o: ReportOptions = {}, dump: Dump = loadDump(path)): StacksReport {
  const opts: { similarity?: Similarity; filter?: string } = {};
  if (o.similarity) opts.similarity = o.similarity;
  if (o.filter) opts.filter = o.filter;
  const g = new StackGrouper(opts);
  g.add(dump.goroutines);
  g.add(dump.groups);
  return buildReport(basename(path), g.result({ keys: true }), dump, o);
}
