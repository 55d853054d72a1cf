// `gosleuth summary`: what a dump holds, computed while it streams (no goroutine is retained).
import type { Diagnostic, DumpInfo, StateClass, Truncation } from "@gosleuth/model";
// From its module alone: the package's index brings graphology (the per-goroutine graph) too.
import { SPAWN_VIEW_NOTE, spawnView } from "@gosleuth/spawn-graph/spawn-view";
import {
  buildReport,
  type CrashJson,
  crashJson,
  type RaceJson,
  renderBrief,
  type StacksReport,
} from "@gosleuth/stacks";
import { plain } from "@gosleuth/text";
import { color, colorEnabled, formatBytes, n } from "../format.ts";
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
  /** Diagnostics past the parser's cap: counted, not listed (nor in diagnosticsByLevel). */
  diagnosticsNotListed: number;
  firstDiagnostics: Pick<Diagnostic, "severity" | "line" | "message">[];
  bytes: number;
  lines: number;
  dumps: number;
  panics: string[];
  fatal: string[];
  signal?: string;
  /** The crash, in `stacks --format json`'s shape. */
  crash: CrashJson | null;
  /** Data races, in `stacks --format json`'s shape. */
  races: RaceJson[];
  /** Present when the input looks like only part of a dump (the parser's signs, in words). */
  truncated?: Truncation;
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
  const stacks = buildReport(name, acc.stacks.result({ copy: false }), info, { similarity: "any", limit: 5 });
  const out = summarise(name, acc, info, stacks);
  if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else process.stdout.write(renderSummary(out, stacks));
  return out;
}

/** The summary of a dump from its accumulated records and its info. */
function summarise(
  input: string,
  acc: SummaryAccumulator,
  info: DumpInfo,
  stacks: StacksReport,
): SummaryJson {
  const { goroutines, maxId, states } = acc;
  // Timed only when asked: reading `performance` loads node:perf_hooks (about 2 ms of start-up).
  const t0 = process.env.GOSLEUTH_DEBUG ? performance.now() : 0;
  const spawn = spawnView({
    ids: acc.recId.view(),
    parents: acc.recParent.view(),
    siteOf: acc.recSite.view(),
    sites: acc.sites.sites,
  });
  if (process.env.GOSLEUTH_DEBUG) {
    process.stderr.write(
      `gosleuth: spawn view of ${acc.recId.length} goroutines in ${(performance.now() - t0).toFixed(0)} ms\n`,
    );
  }
  const byLevel: Record<string, number> = {};
  for (const d of info.diagnostics) byLevel[d.severity] = (byLevel[d.severity] ?? 0) + 1;
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
      createdAndFinished: spawn.createdAndFinished,
      topSpawningSites: spawn.topSpawningSites,
      youngUnderOldParent: spawn.youngUnderOldParent,
      youngUnderYoungParent: spawn.youngUnderYoungParent,
      note: SPAWN_VIEW_NOTE,
    },
    diagnostics: info.diagnostics.length,
    diagnosticsByLevel: byLevel,
    diagnosticsNotListed: info.unlistedDiagnostics ?? 0,
    firstDiagnostics: info.diagnostics
      .slice(0, 5)
      .map((d) => ({ severity: d.severity, line: d.line, message: d.message })),
    bytes: info.bytes,
    lines: info.lineCount,
    dumps: info.dumpCount,
    panics: info.preamble.panics.map((x) => x.message),
    fatal: [...info.preamble.fatal],
    crash: crashJson(stacks.crash),
    races: stacks.races,
  };
  if (info.preamble.signal?.header ?? info.preamble.signal?.bracket) {
    out.signal = info.preamble.signal.header ?? info.preamble.signal.bracket;
  }
  if (info.truncated !== undefined) {
    out.truncated = info.truncated;
    out.spawn.note += CUT_NOTE;
  }
  return out;
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

/** What a cut input does to the spawn view's estimate. */
const CUT_NOTE =
  " The input looks like part of a dump (see truncated): goroutines that were cut off are counted as created and finished, so the estimate is at most that.";

/** Raw states listed by the text summary (the most common first). */
const STATES_SHOWN = 25;

function renderSummary(s: SummaryJson, stacks: StacksReport): string {
  const c = color;
  const lines: string[] = [];
  lines.push(
    `${c.bold(plain(s.input))}: ${FORMAT_NAMES[s.format] ?? s.format} · ${c.bold(n(s.goroutines))} goroutines · ${n(s.frames)} frames · ${formatBytes(s.bytes)}`,
  );
  if (s.dumps > 1) lines.push(c.yellow(`${s.dumps} dumps in one input (shown together)`));
  if (s.truncated) lines.push(c.yellow(`part of a dump: ${plain(s.truncated.reasons.join("; "))}`));
  for (const p of s.panics) lines.push(`${c.red("panic:")} ${plain(p)}`);
  for (const f of s.fatal) lines.push(`${c.red("fatal error:")} ${plain(f)}`);
  // A panic's `[signal SIGSEGV: …]` line already starts with the word.
  if (s.signal) lines.push(`${c.red("signal:")} ${plain(s.signal.replace(/^signal /, ""))}`);
  lines.push("", c.bold("States"));
  const total = Math.max(1, s.goroutines);
  // Go's own words (`IO wait`, `chan receive (nil chan)`), as tree and leaks print them; the JSON
  // keeps the classes too.
  const byCount = Object.entries(s.rawStates);
  if (byCount.length === 0 && s.groups > 0) {
    const which = s.format === "debug0" ? "debug=0" : "debug=1";
    lines.push(`  a ${which} profile has no goroutine states (debug=2 has them)`);
  }
  // The most common states (the JSON has them all): a dump can print a state text per goroutine
  // (300,000 of them printed that many lines, and the width was a spread of all of them, which
  // overflowed the call stack).
  const shown = byCount.slice(0, STATES_SHOWN);
  let width = 16;
  for (const [k] of shown) width = Math.max(width, k.length);
  for (const [k, v] of shown) {
    lines.push(
      `  ${plain(k).padEnd(width)} ${n(v).padStart(10)}  ${((100 * v) / total).toFixed(1).padStart(5)}%`,
    );
  }
  if (byCount.length > shown.length) {
    let rest = 0;
    for (let i = shown.length; i < byCount.length; i++) rest += byCount[i]![1];
    lines.push(
      `  … ${n(byCount.length - shown.length)} more states (${n(rest)} goroutines; --json lists them all)`,
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
      `  roots ${n(s.spawn.roots)} · orphans (parent exited) ${n(s.spawn.orphans)} · highest id ${n(s.spawn.maxId)} · created and finished ≈ ${n(s.spawn.createdAndFinished)}${s.truncated ? " (at most: the input is cut, and goroutines cut off count as finished)" : ""}`,
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
              .map(([k, v]) => `${n(v)} ${k}`)
              .join(", ")})`
          : ""
      }${s.diagnosticsNotListed > 0 ? ` and ${n(s.diagnosticsNotListed)} more not listed` : ""}`,
  );
  for (const d of s.firstDiagnostics)
    lines.push(`  ${d.severity}: ${plain(d.message.replace(/^@gosleuth\/parser: /, ""), 1000)}`);
  lines.push(...renderBrief(stacks, { color: colorEnabled }));
  return `${lines.join("\n")}\n`;
}
