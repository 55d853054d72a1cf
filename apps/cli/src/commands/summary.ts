// `gosleuth summary`: what a dump holds, computed while it streams (no goroutine is retained).
import type { Diagnostic, DumpInfo, StateClass } from "@gosleuth/model";
import { type CreatorSite, sortById } from "@gosleuth/spawn-graph";
import { plain } from "@gosleuth/text";
import { color, n } from "../format.ts";
import type { FetchOptions } from "../input.ts";
import { consumeInput } from "../parallel.ts";
import type { SummaryAccumulator, WaitEntry } from "../summary-records.ts";

export interface SummaryJson {
  input: string;
  format: string;
  goroutines: number;
  groups: number;
  frames: number;
  states: Partial<Record<StateClass, number>>;
  rawStates: Record<string, number>;
  longestWaits: WaitEntry[];
  topCreators: { function: string; goroutines: number }[];
  spawn: {
    roots: number;
    orphans: number;
    maxId: number;
    createdAndFinished: number;
    topSpawningSites: { site: string; children: number; descendants: number }[];
    youngUnderOldParent: number;
    youngUnderYoungParent: number;
    note: string;
  };
  diagnostics: number;
  diagnosticsByLevel: Record<string, number>;
  firstDiagnostics: Pick<Diagnostic, "severity" | "line" | "message">[];
  bytes: number;
  lines: number;
  dumps: number;
  panics: string[];
  fatal: string[];
  signal?: string;
}

export async function summary(
  input: string,
  opts: { json?: boolean; threads?: string },
  fetchOpts: FetchOptions,
): Promise<SummaryJson> {
  const {
    consumer: acc,
    info,
    name,
  } = await consumeInput("summary", input, {
    threads: opts.threads,
    fetch: fetchOpts,
  });
  const out = summarise(name, acc, info);
  if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else process.stdout.write(renderSummary(out));
  return out;
}

/** The summary of a dump from its accumulated records and its info. */
function summarise(input: string, acc: SummaryAccumulator, info: DumpInfo): SummaryJson {
  const { goroutines, maxId, states } = acc;
  const t0 = performance.now();
  const spawn = spawnView(acc.recId.view(), acc.recParent.view(), acc.recSite.view(), acc.sites.sites, maxId);
  if (process.env.GOSLEUTH_DEBUG) {
    process.stderr.write(
      `gosleuth: spawn view of ${acc.recId.length} goroutines in ${(performance.now() - t0).toFixed(0)} ms\n`,
    );
  }
  const byLevel: Record<string, number> = {};
  for (const d of info.diagnostics) byLevel[d.severity] = (byLevel[d.severity] ?? 0) + 1;
  const live = info.format === "debug1" || info.format === "debug0" ? goroutines : spawn.distinctIds;
  const out: SummaryJson = {
    input,
    format: info.format,
    goroutines,
    groups: acc.groups,
    frames: acc.frames,
    states,
    rawStates: Object.fromEntries([...acc.rawStates].sort((a, b) => b[1] - a[1])),
    longestWaits: acc.waits,
    topCreators: [...acc.creators]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([f, c]) => ({ function: f, goroutines: c })),
    spawn: {
      roots: acc.roots,
      orphans: spawn.orphans,
      maxId,
      createdAndFinished: Math.max(0, maxId - live),
      topSpawningSites: spawn.top,
      youngUnderOldParent: spawn.youngUnderOld,
      youngUnderYoungParent: spawn.youngUnderYoung,
      note: "goroutine ids are handed out in increasing order, so the highest id minus the live count is about how many goroutines this process created and finished. A young goroutine (id in the top tenth) under an old parent (bottom tenth) is typically a fresh connection of a long-lived server; under a young parent, a sub-task of a recent request.",
    },
    diagnostics: info.diagnostics.length,
    diagnosticsByLevel: byLevel,
    firstDiagnostics: info.diagnostics
      .slice(0, 5)
      .map((d) => ({ severity: d.severity, line: d.line, message: d.message })),
    bytes: info.bytes,
    lines: info.lineCount,
    dumps: info.dumpCount,
    panics: info.preamble.panics.map((x) => x.message),
    fatal: [...info.preamble.fatal],
  };
  if (info.preamble.signal?.header ?? info.preamble.signal?.bracket) {
    out.signal = info.preamble.signal.header ?? info.preamble.signal.bracket;
  }
  return out;
}

/**
 * Orphans, top spawning sites by descendants, and young goroutines under old or young parents, from
 * the compact records. Parents are found by binary search in the sorted ids (no hash map per goroutine).
 */
function spawnView(
  ids: Int32Array | Float64Array,
  parents: Int32Array | Float64Array,
  siteOf: Int32Array,
  sites: readonly (CreatorSite | null)[],
  maxId: number,
) {
  const n = ids.length;
  const { order, sorted } = sortById(ids);
  let distinctIds = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinctIds++;
  const indexOf = (id: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = sorted[mid]!;
      if (v === id) return order[mid]!;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const parentIdx = new Int32Array(n);
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    const p = parents[i]!;
    parentIdx[i] = p >= 0 ? indexOf(p) : -1;
    if (p >= 0 && parentIdx[i] === -1) orphans++;
  }
  const below = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // Walk up the parent chain (bounded, in case of damaged input with cycles).
    let p = parentIdx[i]!;
    for (let steps = 0; p !== -1 && steps < 10_000; steps++) {
      below[p]!++;
      p = parentIdx[p]!;
    }
  }
  const bySite = new Map<number, { children: number; descendants: number }>();
  let youngUnderOld = 0;
  let youngUnderYoung = 0;
  for (let i = 0; i < n; i++) {
    const s = siteOf[i]!;
    if (s > 0) {
      const e = bySite.get(s) ?? { children: 0, descendants: 0 };
      e.children++;
      e.descendants += 1 + below[i]!;
      bySite.set(s, e);
    }
    const p = parents[i]!;
    if (ids[i]! >= 0.9 * maxId && p >= 0) {
      if (p <= 0.1 * maxId) youngUnderOld++;
      else if (p >= 0.9 * maxId) youngUnderYoung++;
    }
  }
  const top = [...bySite]
    .sort((a, b) => b[1].descendants - a[1].descendants)
    .slice(0, 5)
    .map(([s, v]) => {
      const site = sites[s]!;
      return { site: `${site.function} ${site.file}:${site.line}`, ...v };
    });
  return { top, youngUnderOld, youngUnderYoung, orphans, distinctIds };
}

const FORMAT_NAMES: Record<string, string> = {
  debug2: "debug=2 (full stacks)",
  debug1: "debug=1 (grouped profile)",
  debug0: "debug=0 (protobuf profile)",
  panic: "panic",
  fatal: "fatal error",
  signal: "signal dump",
  race: "race report",
};

function renderSummary(s: SummaryJson): string {
  const c = color;
  const lines: string[] = [];
  lines.push(
    `${c.bold(plain(s.input))}: ${FORMAT_NAMES[s.format] ?? s.format} · ${c.bold(n(s.goroutines))} goroutines · ${n(s.frames)} frames · ${(s.bytes / 1e6).toFixed(1)} MB`,
  );
  if (s.dumps > 1) lines.push(c.yellow(`${s.dumps} dumps in one input (shown together)`));
  for (const p of s.panics) lines.push(`${c.red("panic:")} ${plain(p)}`);
  for (const f of s.fatal) lines.push(`${c.red("fatal error:")} ${plain(f)}`);
  if (s.signal) lines.push(`${c.red("signal:")} ${plain(s.signal)}`);
  lines.push("", c.bold("States"));
  const total = Math.max(1, s.goroutines);
  for (const [k, v] of Object.entries(s.states).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))) {
    lines.push(
      `  ${plain(k).padEnd(16)} ${n(v ?? 0).padStart(10)}  ${((100 * (v ?? 0)) / total).toFixed(1).padStart(5)}%`,
    );
  }
  if (s.longestWaits.length > 0) {
    lines.push("", c.bold("Longest waits"));
    for (const w of s.longestWaits)
      lines.push(
        `  ${`${w.waitMinutes} min`.padStart(10)}  goroutine ${w.id} [${plain(w.state)}] ${plain(w.fn)}`,
      );
  }
  if (s.topCreators.length > 0) {
    lines.push("", c.bold("Creators with the most goroutines"));
    for (const t of s.topCreators) lines.push(`  ${n(t.goroutines).padStart(10)}  ${plain(t.function)}`);
  }
  if (s.groups === 0) {
    lines.push("", c.bold("Spawn view"));
    lines.push(
      `  roots ${n(s.spawn.roots)} · orphans (parent exited) ${n(s.spawn.orphans)} · highest id ${n(s.spawn.maxId)} · created and finished ≈ ${n(s.spawn.createdAndFinished)}`,
    );
    lines.push(
      `  young goroutines under old parents (fresh connections) ${n(s.spawn.youngUnderOldParent)} · under young parents (request sub-tasks) ${n(s.spawn.youngUnderYoungParent)}`,
    );
    if (s.spawn.topSpawningSites.length > 0)
      lines.push("  top spawning sites (goroutines below the goroutines they started):");
    for (const t of s.spawn.topSpawningSites) {
      lines.push(`  ${n(t.descendants).padStart(10)}  ${plain(t.site)}  (${n(t.children)} started here)`);
    }
  }
  lines.push(
    "",
    c.bold("Diagnostics") +
      `  ${n(s.diagnostics)}${
        s.diagnostics
          ? ` (${Object.entries(s.diagnosticsByLevel)
              .map(([k, v]) => `${v} ${k}`)
              .join(", ")})`
          : ""
      }`,
  );
  for (const d of s.firstDiagnostics)
    lines.push(`  ${d.severity}: ${plain(d.message.replace(/^@gosleuth\/parser: /, ""), 1000)}`);
  return `${lines.join("\n")}\n`;
}
