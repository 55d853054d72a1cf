// `gosleuth summary`: what a dump holds, computed while it streams (no goroutine is retained).
import type { Diagnostic, DumpInfo, FunctionName, StateClass, StreamItem } from "@gosleuth/model";
import { Growable, orderById } from "@gosleuth/spawn-graph";
import { color, n } from "../format.ts";
import { type FetchOptions, parseInput } from "../input.ts";
import { parallelPartials } from "../parallel.ts";

export interface WaitEntry {
  id: number;
  state: string;
  waitMinutes: number;
  fn: string;
}

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

/** What a part of a dump contributes to the summary (one thread's byte range, or the whole input). */
export interface SummaryPartial {
  goroutines: number;
  groups: number;
  frames: number;
  roots: number;
  maxId: number;
  states: Partial<Record<StateClass, number>>;
  /** In order of first appearance (ties in the final sort keep that order). */
  rawStates: [string, number][];
  creators: [string, number][];
  /** Creator sites, `function file:line`, each once. */
  siteNames: string[];
  /** One record per goroutine: id, parent id (-1: none), index into siteNames (-1: none). */
  ids: Int32Array | Float64Array;
  parents: Int32Array | Float64Array;
  sites: Int32Array;
  /** The five longest waits, earliest first among equals. */
  waits: WaitEntry[];
}

/** Folds parsed items into a SummaryPartial; no goroutine is retained. */
export class SummaryAccumulator {
  goroutines = 0;
  groups = 0;
  frames = 0;
  roots = 0;
  maxId = 0;
  readonly states: Partial<Record<StateClass, number>> = {};
  readonly rawStates = new Map<string, number>();
  readonly creators = new Map<string, number>();
  // Compact per-goroutine numbers in typed arrays (12 bytes a goroutine), so memory stays small
  // even for millions of goroutines.
  readonly recId = new IdColumn();
  readonly recParent = new IdColumn();
  readonly recSite = new Growable(Int32Array);
  private readonly siteByFn = new Map<FunctionName, Map<number, { file: string; idx: number }[]>>();
  private readonly siteIndex = new Map<string, number>();
  readonly siteNames: string[] = [];
  waits: WaitEntry[] = [];

  add(batch: readonly StreamItem[]): void {
    for (const item of batch) {
      if (item.kind === "group") {
        this.groups++;
        this.goroutines += item.count;
        this.frames += item.frames.length * item.count;
        this.states.unknown = (this.states.unknown ?? 0) + item.count;
        continue;
      }
      const g = item;
      this.goroutines++;
      this.frames += g.frames.length;
      this.states[g.stateClass] = (this.states[g.stateClass] ?? 0) + 1;
      this.rawStates.set(g.state, (this.rawStates.get(g.state) ?? 0) + 1);
      if (g.id > this.maxId) this.maxId = g.id;
      let site = -1;
      const c = g.createdBy;
      if (c) {
        const f = c.fn.full;
        this.creators.set(f, (this.creators.get(f) ?? 0) + 1);
        // Site lookup by function object, then line, then file: no string built per goroutine.
        let byLine = this.siteByFn.get(c.fn);
        if (!byLine) this.siteByFn.set(c.fn, (byLine = new Map()));
        const cands = byLine.get(c.line);
        const hit = cands?.find((x) => x.file === c.file);
        if (hit) site = hit.idx;
        else {
          const name = `${f} ${c.file}:${c.line}`;
          site = this.siteIndex.get(name) ?? -1;
          if (site === -1) {
            site = this.siteNames.length;
            this.siteNames.push(name);
            this.siteIndex.set(name, site);
          }
          if (cands) cands.push({ file: c.file, idx: site });
          else byLine.set(c.line, [{ file: c.file, idx: site }]);
        }
      } else this.roots++;
      this.recId.push(g.id);
      this.recParent.push(c?.parentId ?? -1);
      this.recSite.push(site);
      const waits = this.waits;
      if (g.waitMinutes > 0 && (waits.length < 5 || g.waitMinutes > waits[waits.length - 1]!.waitMinutes)) {
        waits.push({
          id: g.id,
          state: g.state,
          waitMinutes: g.waitMinutes,
          fn: g.frames[g.frames.length - 1]?.fn.full ?? "",
        });
        waits.sort((a, b) => b.waitMinutes - a.waitMinutes);
        if (waits.length > 5) waits.pop();
      }
    }
  }

  /** Makes room for this many goroutines in all (untouched room costs no memory until used). */
  reserve(n: number): void {
    this.recId.reserve(n);
    this.recParent.reserve(n);
    this.recSite.reserve(n);
  }

  /** Folds a later part's partial (parts must come in input order). */
  merge(p: SummaryPartial): void {
    this.goroutines += p.goroutines;
    this.groups += p.groups;
    this.frames += p.frames;
    this.roots += p.roots;
    if (p.maxId > this.maxId) this.maxId = p.maxId;
    for (const [k, v] of Object.entries(p.states) as [StateClass, number][])
      this.states[k] = (this.states[k] ?? 0) + v;
    for (const [k, v] of p.rawStates) this.rawStates.set(k, (this.rawStates.get(k) ?? 0) + v);
    for (const [k, v] of p.creators) this.creators.set(k, (this.creators.get(k) ?? 0) + v);
    const remap = p.siteNames.map((name) => {
      let i = this.siteIndex.get(name);
      if (i === undefined) {
        i = this.siteNames.length;
        this.siteNames.push(name);
        this.siteIndex.set(name, i);
      }
      return i;
    });
    this.recId.append(p.ids);
    this.recParent.append(p.parents);
    const start = this.recSite.length;
    this.recSite.append(p.sites);
    const sites = this.recSite.view();
    for (let i = start; i < sites.length; i++) if (sites[i]! >= 0) sites[i] = remap[sites[i]!]!;
    // Earlier parts first, then a stable sort: equal waits keep input order, as one pass would.
    this.waits = [...this.waits, ...p.waits].sort((a, b) => b.waitMinutes - a.waitMinutes).slice(0, 5);
  }

  /**
   * The partial. Its records are views of this accumulator's buffers (no copy: fresh memory is slow to
   * touch here); transferring them to another thread moves the buffers, so use the accumulator no more.
   */
  partial(): SummaryPartial {
    return {
      goroutines: this.goroutines,
      groups: this.groups,
      frames: this.frames,
      roots: this.roots,
      maxId: this.maxId,
      states: this.states,
      rawStates: [...this.rawStates],
      creators: [...this.creators],
      siteNames: this.siteNames,
      ids: this.recId.view(),
      parents: this.recParent.view(),
      sites: this.recSite.view(),
      waits: this.waits,
    };
  }
}

export async function summary(
  input: string,
  opts: { json?: boolean; threads?: string },
  fetchOpts: FetchOptions,
): Promise<SummaryJson> {
  let acc = new SummaryAccumulator();
  let name = input;
  let info = await parallelPartials(
    "summary",
    input,
    opts.threads,
    {},
    (p) => acc.merge(p),
    (n) => acc.reserve(n),
  );
  if (!info) {
    const p = await parseInput(input, fetchOpts);
    acc = new SummaryAccumulator();
    for await (const batch of p.stream.batches()) acc.add(batch);
    info = await p.finish();
    name = p.name;
  }
  const out = summarise(name, acc, info);
  if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else process.stdout.write(renderSummary(out));
  return out;
}

/** The summary of a dump from its accumulated records and its info. */
function summarise(input: string, acc: SummaryAccumulator, info: DumpInfo): SummaryJson {
  const { goroutines, maxId, states } = acc;
  const t0 = performance.now();
  const spawn = spawnView(acc.recId.view(), acc.recParent.view(), acc.recSite.view(), acc.siteNames, maxId);
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

/** Top spawning sites by descendants, and young goroutines under old or young parents, from compact records. */
/** A growable typed array. */
/**
 * Goroutine ids: 4 bytes each while they fit an Int32 (real ids do), 8 once one does not (ids
 * beyond 2^31 in damaged or synthetic input), never rounded.
 */
export class IdColumn {
  private col: Growable<Int32Array> | Growable<Float64Array> = new Growable(Int32Array);
  private wide = false;
  get length(): number {
    return this.col.length;
  }
  push(v: number): void {
    if (!this.wide && (v | 0) !== v) {
      const old = this.col.view();
      const wide = new Growable(Float64Array, Math.max(4096, Math.ceil(old.length * 1.5)));
      for (let i = 0; i < old.length; i++) wide.push(old[i]!);
      this.col = wide;
      this.wide = true;
    }
    this.col.push(v);
  }
  view(): Int32Array | Float64Array {
    return this.col.view();
  }
  reserve(n: number): void {
    this.col.reserve(n);
  }
  append(values: Int32Array | Float64Array): void {
    if (this.wide || values instanceof Int32Array) {
      this.col.append(values);
      return;
    }
    for (let i = 0; i < values.length; i++) this.push(values[i]!);
  }
}

/**
 * Orphans, top spawning sites by descendants, and young goroutines under old or young parents, from
 * the compact records. Parents are found by binary search in the sorted ids (no hash map per goroutine).
 */
function spawnView(
  ids: Int32Array | Float64Array,
  parents: Int32Array | Float64Array,
  sites: Int32Array,
  siteNames: string[],
  maxId: number,
) {
  const n = ids.length;
  const order = orderById(ids);
  let distinctIds = 0;
  for (let i = 0; i < n; i++) if (i === 0 || ids[order[i]!] !== ids[order[i - 1]!]) distinctIds++;
  const indexOf = (id: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[order[mid]!]!;
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
    const s = sites[i]!;
    if (s >= 0) {
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
    .map(([s, v]) => ({ site: siteNames[s]!, ...v }));
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
    `${c.bold(s.input)}: ${FORMAT_NAMES[s.format] ?? s.format} · ${c.bold(n(s.goroutines))} goroutines · ${n(s.frames)} frames · ${(s.bytes / 1e6).toFixed(1)} MB`,
  );
  if (s.dumps > 1) lines.push(c.yellow(`${s.dumps} dumps in one input (shown together)`));
  for (const p of s.panics) lines.push(`${c.red("panic:")} ${p}`);
  for (const f of s.fatal) lines.push(`${c.red("fatal error:")} ${f}`);
  if (s.signal) lines.push(`${c.red("signal:")} ${s.signal}`);
  lines.push("", c.bold("States"));
  const total = Math.max(1, s.goroutines);
  for (const [k, v] of Object.entries(s.states).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))) {
    lines.push(
      `  ${k.padEnd(16)} ${n(v ?? 0).padStart(10)}  ${((100 * (v ?? 0)) / total).toFixed(1).padStart(5)}%`,
    );
  }
  if (s.longestWaits.length > 0) {
    lines.push("", c.bold("Longest waits"));
    for (const w of s.longestWaits)
      lines.push(`  ${`${w.waitMinutes} min`.padStart(10)}  goroutine ${w.id} [${w.state}] ${w.fn}`);
  }
  if (s.topCreators.length > 0) {
    lines.push("", c.bold("Creators with the most goroutines"));
    for (const t of s.topCreators) lines.push(`  ${n(t.goroutines).padStart(10)}  ${t.function}`);
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
      lines.push(`  ${n(t.descendants).padStart(10)}  ${t.site}  (${n(t.children)} started here)`);
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
    lines.push(`  ${d.severity}: ${d.message.replace(/^@gosleuth\/parser: /, "")}`);
  return `${lines.join("\n")}\n`;
}
