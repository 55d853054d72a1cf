// `gosleuth summary`: what a dump holds, computed while it streams (no goroutine is retained).
import type { Diagnostic, FunctionName, StateClass } from "@gosleuth/model";
import { color, n } from "../format.ts";
import { type FetchOptions, parseInput } from "../input.ts";

interface WaitEntry {
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

export async function summary(
  input: string,
  opts: { json?: boolean },
  fetchOpts: FetchOptions,
): Promise<SummaryJson> {
  const p = await parseInput(input, fetchOpts);
  let goroutines = 0;
  let groups = 0;
  let frames = 0;
  let roots = 0;
  let maxId = 0;
  const states: Partial<Record<StateClass, number>> = {};
  const rawStates = new Map<string, number>();
  const creators = new Map<string, number>();
  // Compact per-goroutine numbers in typed arrays (16 bytes a goroutine), so memory stays small
  // even for millions of goroutines.
  // Compact spawn records for the spawn view: id, parent id (-1: none), creator site index.
  const recId = new Growable(Float64Array);
  const recParent = new Growable(Float64Array);
  const recSite = new Growable(Int32Array);
  const siteByFn = new Map<FunctionName, Map<number, { file: string; idx: number }[]>>();
  const siteNames: string[] = [];
  const waits: WaitEntry[] = [];
  for await (const batch of p.stream.batches())
    for (const item of batch) {
      if (item.kind === "group") {
        groups++;
        goroutines += item.count;
        frames += item.frames.length * item.count;
        states.unknown = (states.unknown ?? 0) + item.count;
        continue;
      }
      const g = item;
      goroutines++;
      frames += g.frames.length;
      states[g.stateClass] = (states[g.stateClass] ?? 0) + 1;
      rawStates.set(g.state, (rawStates.get(g.state) ?? 0) + 1);
      if (g.id > maxId) maxId = g.id;
      let site = -1;
      if (g.createdBy) {
        const f = g.createdBy.fn.full;
        creators.set(f, (creators.get(f) ?? 0) + 1);
        // Site lookup by function object, then line, then file: no string built per goroutine.
        const c = g.createdBy;
        let byLine = siteByFn.get(c.fn);
        if (!byLine) siteByFn.set(c.fn, (byLine = new Map()));
        const cands = byLine.get(c.line);
        const hit = cands?.find((x) => x.file === c.file);
        if (hit) site = hit.idx;
        else {
          site = siteNames.length;
          siteNames.push(`${f} ${c.file}:${c.line}`);
          if (cands) cands.push({ file: c.file, idx: site });
          else byLine.set(c.line, [{ file: c.file, idx: site }]);
        }
      } else roots++;
      recId.push(g.id);
      recParent.push(g.createdBy?.parentId ?? -1);
      recSite.push(site);
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
  const info = await p.finish();
  let orphans = 0;
  const spawn = spawnView(recId.view(), recParent.view(), recSite.view(), siteNames, maxId);
  orphans = spawn.orphans;
  const byLevel: Record<string, number> = {};
  for (const d of info.diagnostics) byLevel[d.severity] = (byLevel[d.severity] ?? 0) + 1;
  const live = info.format === "debug1" || info.format === "debug0" ? goroutines : spawn.distinctIds;
  const out: SummaryJson = {
    input: p.name,
    format: info.format,
    goroutines,
    groups,
    frames,
    states,
    rawStates: Object.fromEntries([...rawStates].sort((a, b) => b[1] - a[1])),
    longestWaits: waits,
    topCreators: [...creators]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([f, c]) => ({ function: f, goroutines: c })),
    spawn: {
      roots,
      orphans,
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
  if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else process.stdout.write(renderSummary(out));
  return out;
}

/** Top spawning sites by descendants, and young goroutines under old or young parents, from compact records. */
/** A growable typed array. */
class Growable<T extends Float64Array | Int32Array> {
  private data: T;
  length = 0;
  constructor(private readonly Type: { new (n: number): T }) {
    this.data = new Type(4096);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      // Grow by half: less slack than doubling when millions of goroutines are recorded.
      const d = new this.Type(Math.ceil(this.data.length * 1.5));
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/**
 * Orphans, top spawning sites by descendants, and young goroutines under old or young parents, from
 * the compact records. Parents are found by binary search in the sorted ids (no hash map per goroutine).
 */
function spawnView(
  ids: Float64Array,
  parents: Float64Array,
  sites: Int32Array,
  siteNames: string[],
  maxId: number,
) {
  const n = ids.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ids[a]! - ids[b]!);
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
