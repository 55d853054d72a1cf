// What every output format shows, as rows of plain cells: a group's header facts, its aligned frames, the
// crash and the races. The formats differ only in how they mark these up (terminal colours, Markdown, HTML).
import type { Elision, Frame, Goroutine } from "@gosleuth/model";
import { formatCount } from "@gosleuth/model";
import { cut } from "@gosleuth/text";
import { showArgs } from "./args.ts";
import { baseName, type CodeKind, codeKind, shortFunction } from "./classify.ts";
import type { Crash } from "./crash.ts";
import type { GroupFrame } from "./grouper.ts";
import { mainState } from "./json.ts";
import type { RaceFrameJson, RaceJson } from "./races.ts";
import type { ReportGroup, StacksReport } from "./report.ts";

/** One frame as three cells (`package  file.go:123  Function(args)`) and whose code it is. */
export interface Row {
  kind: CodeKind | "note";
  pkg: string;
  where: string;
  call: string;
}

/** Ids shown in a group's header before the rest is counted. */
const IDS_SHOWN = 8;
/** Longest function or argument text shown in a frame row. */
const MAX_CALL = 300;

const n = formatCount;

export function elisionRow(e: Elision): Row {
  const text = e.count === null ? "...additional frames elided..." : `...${n(e.count)} frames elided...`;
  return { kind: "note", pkg: "", where: "", call: text };
}

function withElisions(rows: Row[], elided: readonly Elision[]): Row[] {
  if (elided.length === 0) return rows;
  const out: Row[] = [];
  let e = 0;
  for (let i = 0; i < rows.length; i++) {
    while (e < elided.length && elided[e]!.index === i) out.push(elisionRow(elided[e++]!));
    out.push(rows[i]!);
  }
  while (e < elided.length) out.push(elisionRow(elided[e++]!));
  return out;
}

export function groupRows(
  frames: readonly GroupFrame[],
  elided: readonly Elision[],
  names: ReadonlyMap<string, string>,
): Row[] {
  const rows = frames.map((f) => ({
    kind: codeKind(f.pkg, f.file),
    pkg: f.pkg,
    where: `${baseName(f.file)}:${f.line}`,
    call: cut(
      `${shortFunction(f.function, f.pkg)}(${f.inlined ? "..." : showArgs(f.args, names)})`,
      MAX_CALL,
    ),
  }));
  return withElisions(rows, elided);
}

export function goroutineRows(
  frames: readonly Frame[],
  elided: readonly Elision[],
  names: ReadonlyMap<string, string>,
): Row[] {
  const rows = frames.map((f) => ({
    kind: codeKind(f.fn.pkg, f.file),
    pkg: f.fn.pkg,
    where: `${baseName(f.file)}:${f.line}`,
    call: cut(
      `${shortFunction(f.fn.full, f.fn.pkg)}(${f.inlined ? "..." : f.args.replace(/0x[0-9a-f]+/gi, (a) => names.get(a) ?? a)})`,
      MAX_CALL,
    ),
  }));
  return withElisions(rows, elided);
}

export function raceRows(frames: readonly RaceFrameJson[]): Row[] {
  return frames.map((f) => {
    const pkg = packageOf(f.function);
    return {
      kind: codeKind(pkg, f.file),
      pkg,
      where: `${baseName(f.file)}:${f.line}`,
      call: cut(`${shortFunction(f.function, pkg)}()`, MAX_CALL),
    };
  });
}

/** The import path of a function symbol (`net/http.(*conn).serve` → `net/http`). */
export function packageOf(fn: string): string {
  const slash = fn.lastIndexOf("/");
  const dot = fn.indexOf(".", slash + 1);
  return dot < 0 ? "" : fn.slice(0, dot);
}

/** Column widths so that rows line up (package and location columns capped, long ones overflow). */
export function widths(rows: readonly Row[]): [number, number] {
  let a = 0;
  let b = 0;
  for (const r of rows) {
    if (r.kind === "note") continue;
    a = Math.max(a, Math.min(40, r.pkg.length));
    b = Math.max(b, Math.min(32, r.where.length));
  }
  return [a, b];
}

/** `3 goroutines`, the states, the wait range, flags and labels of a group. */
export function groupFacts(g: ReportGroup): string[] {
  const facts: string[] = [];
  if (g.profile) facts.push("no state or wait in a debug=1/debug=0 profile");
  else {
    const states = Object.entries(g.states).sort((a, b) => b[1] - a[1]);
    facts.push(states.length === 1 ? mainState(g) : states.map(([s, c]) => `${s} ×${n(c)}`).join(", "));
    if (g.waitMax > 0) {
      facts.push(
        g.waitMin === g.waitMax ? `${n(g.waitMax)} minutes` : `${n(g.waitMin)}–${n(g.waitMax)} minutes`,
      );
    }
  }
  if (g.locked > 0) facts.push(g.locked === g.count ? "locked to thread" : `${n(g.locked)} locked to thread`);
  if (g.leaked > 0) facts.push(g.leaked === g.count ? "(leaked)" : `${n(g.leaked)} (leaked)`);
  return facts;
}

export function labelsText(g: ReportGroup): string | null {
  const ls = Object.entries(g.labels);
  if (ls.length === 0) return null;
  const shown = ls.slice(0, 6).map(([kv, c]) => (c === g.count ? kv : `${kv} ×${n(c)}`));
  return `labels ${shown.join(" ")}${ls.length > 6 ? ` (+${ls.length - 6} more)` : ""}`;
}

export function idsText(g: ReportGroup): string | null {
  if (g.ids.length === 0) return null;
  const shown = g.ids.slice(0, IDS_SHOWN).join(", ");
  return `${g.ids.length === 1 ? "goroutine" : "goroutines"} ${shown}${g.ids.length > IDS_SHOWN ? ` … (+${n(g.ids.length - IDS_SHOWN)})` : ""}`;
}

export function createdText(g: ReportGroup): string | null {
  const c = g.createdBy;
  if (!c) return null;
  const parents = g.parents.length;
  const from =
    parents === 0
      ? ""
      : parents === 1
        ? ` in goroutine ${g.parents[0]}`
        : ` by ${n(parents)}${g.parentsCapped ? "+" : ""} goroutines`;
  return `created by ${c.function}  ${baseName(c.file)}:${c.line}${from}`;
}

export function countText(count: number): string {
  return `${n(count)} ${count === 1 ? "goroutine" : "goroutines"}`;
}

/** `1 more group` / `99,901 more groups` (the groups a report leaves out). */
export function moreGroupsText(count: number): string {
  return `${n(count)} more ${count === 1 ? "group" : "groups"}`;
}

/** The lines that explain a crash (the message, what kind of dump, which goroutine). */
export function crashIntro(c: Crash): string[] {
  const out: string[] = [];
  if (c.deadlock) out.push("Every goroutine is blocked; all of them are shown below.");
  else if (c.kind === "signal") {
    const m = c.signal?.m !== undefined ? ` on thread m=${c.signal.m}` : "";
    const first = c.stack;
    if (first && first.id === 0) {
      out.push(
        `The signal arrived${m} while it ran the scheduler (goroutine 0 [${first.state}]): no goroutine of the program was running on that thread.`,
      );
    } else if (first)
      out.push(`The signal arrived${m} while goroutine ${first.id} [${first.state}] was running.`);
    const others = c.running.filter((r) => r.id !== first?.id && r.id !== 0);
    if (others.length > 0) {
      out.push(
        `Also running on other threads: ${others.map((r) => `goroutine ${r.id}${r.m !== undefined ? ` (m=${r.m})` : ""}`).join(", ")}.`,
      );
    }
  }
  return out;
}

export function crashedHeader(g: Goroutine, kind: Crash["kind"]): string {
  const verb = kind === "signal" ? "took the signal" : kind === "fatal" ? "threw" : "panicked";
  const wait = g.waitMinutes > 0 ? `, ${g.waitMinutes} minutes` : "";
  return `goroutine ${g.id} [${g.state}${wait}]${g.lockedToThread ? " locked to thread" : ""} ${verb}:`;
}

export function createdByGoroutine(g: Goroutine): string | null {
  const c = g.createdBy;
  if (!c) return null;
  return `created by ${c.fn.full}  ${baseName(c.file)}:${c.line}${c.parentId !== undefined ? ` in goroutine ${c.parentId}` : ""}`;
}

/** Registers as `rax=0x… rbx=0x…`, several to a line. */
export function registerLines(c: Crash, perLine = 6): string[] {
  const out: string[] = [];
  for (let i = 0; i < c.registers.length; i += perLine) {
    out.push(
      c.registers
        .slice(i, i + perLine)
        .map((r) => `${r.name}=${r.value}`)
        .join(" "),
    );
  }
  return out;
}

export function raceTitle(r: RaceJson, i: number): string {
  return `race ${i + 1}${r.count > 1 ? ` (reported ${n(r.count)} times)` : ""}`;
}

export function accessText(a: RaceJson["accesses"][number]): string {
  const kind = `${a.previous ? "previous " : ""}${a.atomic ? "atomic " : ""}${a.kind}`;
  const who = a.goroutine === null ? "the main goroutine" : `goroutine ${a.goroutine}`;
  return `${kind} at ${a.address} by ${who}:`;
}

export function summaryLine(r: StacksReport): string {
  const groups = r.groups.length + r.omitted.groups;
  let s = `${countText(r.total)} in ${n(groups)} ${groups === 1 ? "group" : "groups"} (similarity: ${r.similarity})`;
  if (r.filtered > 0) s += `; ${n(r.filtered)} left out by the filter`;
  if (r.omitted.groups > 0)
    s += `; ${n(r.omitted.groups)} smaller groups (${countText(r.omitted.goroutines)}) not shown`;
  return s;
}

/** True for a group that is only the crashed goroutine (already shown in full with the crash). */
export function onlyCrashed(r: StacksReport, g: ReportGroup): boolean {
  const id = r.crash?.goroutine;
  return id !== null && id !== undefined && g.count === 1 && g.ids[0] === id && r.crash?.stack?.id === id;
}

/** A line of the runtime's crash message for display: leading tabs (nested panics) as indentation. */
export function messageLine(line: string): string {
  const m = /^\t*/.exec(line)![0].length;
  return `${"  ".repeat(m)}${line.slice(m)}`;
}

/** Shared pointer values each report lists by name (the rest are named in the frames only). */
export const SHARED_SHOWN = 10;
