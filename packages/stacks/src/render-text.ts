// `stacks` for a terminal or a plain-text file: the crash first, then races, then the groups with their
// frames aligned. Colours and bold only when asked (the CLI asks on a TTY, honouring NO_COLOR/FORCE_COLOR).
import { formatCount } from "@gosleuth/model";
import { escapeControl, plain } from "@gosleuth/text";
import pc from "picocolors";
import {
  accessText,
  countText,
  crashedHeader,
  crashIntro,
  createdByGoroutine,
  createdText,
  goroutineRows,
  groupFacts,
  groupRows,
  idsText,
  labelsText,
  messageLine,
  moreGroupsText,
  onlyCrashed,
  type Row,
  raceRows,
  raceTitle,
  registerLines,
  SHARED_SHOWN,
  summaryLine,
  widths,
} from "./layout.ts";
import type { StacksReport } from "./report.ts";

export interface TextOptions {
  color?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

/**
 * One line per row. Callers push the lines one by one: `push(...lines)` passes each line as an argument,
 * and a stack of more than about 100,000 frames (a hand-joined dump; Go elides past 100) overflowed the
 * call (RangeError, an internal error).
 */
function rowLines(rows: readonly Row[], c: Colors, indent: string): string[] {
  const [wp, ww] = widths(rows);
  return rows.map((r) => {
    if (r.kind === "note") return `${indent}${c.dim(plain(r.call))}`;
    const pkg = plain(r.pkg).padEnd(wp);
    const where = plain(r.where).padEnd(ww);
    const call = plain(r.call);
    if (r.kind === "own") return `${indent}${c.bold(pkg)}  ${where}  ${c.bold(call)}`;
    if (r.kind === "dependency") return `${indent}${c.cyan(pkg)}  ${c.cyan(where)}  ${c.cyan(call)}`;
    return `${indent}${c.dim(pkg)}  ${c.dim(where)}  ${c.dim(call)}`;
  });
}

export function renderText(r: StacksReport, o: TextOptions = {}): string {
  const c = pc.createColors(o.color ?? false);
  const out: string[] = [];
  out.push(`${c.bold(plain(r.input))}: ${summaryLine(r)}`);
  const crash = r.crash;
  if (crash) {
    out.push("");
    for (const line of crash.message.split("\n")) out.push(c.red(c.bold(escapeControl(messageLine(line)))));
    for (const line of crashIntro(crash)) out.push(line);
    if (crash.stack) {
      out.push("", c.bold(crashedHeader(crash.stack, crash.kind)));
      for (const l of rowLines(
        goroutineRows(crash.stack.frames, crash.stack.elided, r.pointerNames),
        c,
        "  ",
      ))
        out.push(l);
      const cb = createdByGoroutine(crash.stack);
      if (cb) out.push(`  ${c.dim(plain(cb))}`);
    }
    if (crash.runtimeStack.length > 0) {
      out.push("", c.bold("runtime stack:"));
      for (const l of rowLines(goroutineRows(crash.runtimeStack, [], r.pointerNames), c, "  ")) out.push(l);
    }
    const regs = registerLines(crash);
    if (regs.length > 0) {
      out.push("", c.bold(`registers (${crash.registers.length}):`));
      for (const l of regs) out.push(`  ${c.dim(plain(l))}`);
    }
  }
  if (r.races.length > 0) {
    const reports = r.races.reduce((s, x) => s + x.count, 0);
    out.push(
      "",
      c.bold(
        `${formatCount(r.races.length)} data ${r.races.length === 1 ? "race" : "races"} (${formatCount(reports)} ${reports === 1 ? "report" : "reports"})`,
      ),
    );
    r.races.forEach((race, i) => {
      out.push("", c.red(c.bold(raceTitle(race, i))));
      for (const a of race.accesses) {
        out.push(`  ${plain(accessText(a))}`);
        for (const l of rowLines(raceRows(a.frames), c, "    ")) out.push(l);
      }
      for (const g of race.goroutines) {
        out.push(`  goroutine ${g.id} (${plain(g.status)}) created at:`);
        for (const l of rowLines(raceRows(g.createdAt), c, "    ")) out.push(l);
      }
    });
  }
  if (r.pointerNames.size > 0) {
    out.push("", c.bold("Shared values"));
    let shown = 0;
    for (const [value, name] of r.pointerNames) {
      if (shown++ === SHARED_SHOWN) break;
      const u = r.pointerUse.get(name)!;
      out.push(
        `  ${name} = ${plain(value)}  held by ${countText(u.goroutines)} in ${u.groups} ${u.groups === 1 ? "group" : "groups"}`,
      );
    }
    const more = r.pointerNames.size - SHARED_SHOWN;
    if (more > 0) out.push(`  ${c.dim(`… ${more} more named values (their names appear in the frames)`)}`);
  }
  for (const g of r.groups) {
    out.push("");
    const labels = labelsText(g);
    out.push(
      `${c.bold(countText(g.count))} · ${plain(groupFacts(g).join(" · "))}${labels ? ` · ${plain(labels)}` : ""}`,
    );
    if (onlyCrashed(r, g)) {
      out.push(`  ${c.dim(`goroutine ${g.ids[0]}, the one that crashed (its stack is above)`)}`);
      continue;
    }
    const ids = idsText(g);
    if (ids) out.push(`  ${c.dim(ids)}`);
    for (const l of rowLines(groupRows(g.frames, g.elided, r.pointerNames), c, "    ")) out.push(l);
    const created = createdText(g);
    if (created) out.push(`  ${c.dim(plain(created))}`);
  }
  if (r.omitted.groups > 0) {
    out.push(
      "",
      c.dim(
        `… ${moreGroupsText(r.omitted.groups)} (${countText(r.omitted.goroutines)}); raise --limit to see them`,
      ),
    );
  }
  return `${out.join("\n")}\n`;
}

export interface BriefOptions extends TextOptions {
  /** Groups shown (the largest first). */
  groups?: number;
  /** Frames shown per group, from the top. */
  frames?: number;
}

/**
 * The end of `summary`: the crash (message and the crashed goroutine's top frames) and the largest groups
 * with their top frames, so the first command a user runs shows stacks.
 */
export function renderBrief(r: StacksReport, o: BriefOptions = {}): string[] {
  const c = pc.createColors(o.color ?? false);
  const top = o.frames ?? 4;
  const out: string[] = [];
  const crash = r.crash;
  if (crash) {
    out.push("", c.bold("Crash"));
    for (const line of crash.message.split("\n")) out.push(`  ${c.red(escapeControl(messageLine(line)))}`);
    for (const line of crashIntro(crash)) out.push(`  ${line}`);
    if (crash.stack) {
      out.push(`  ${crashedHeader(crash.stack, crash.kind)}`);
      const rows = goroutineRows(crash.stack.frames.slice(0, top), [], r.pointerNames);
      for (const l of rowLines(rows, c, "    ")) out.push(l);
      if (crash.stack.frames.length > top)
        out.push(`    ${c.dim(`… ${crash.stack.frames.length - top} more frames (gosleuth stacks)`)}`);
    }
  }
  const groups = r.groups.slice(0, o.groups ?? 5);
  if (groups.length > 0) {
    const all = r.groups.length + r.omitted.groups;
    out.push(
      "",
      c.bold(`Largest groups by stack (${groups.length} of ${all}; gosleuth stacks shows them all)`),
    );
    for (const g of groups) {
      out.push(`  ${c.bold(countText(g.count))} · ${plain(groupFacts(g).join(" · "))}`);
      // Top frames without arguments: a summary names places, `stacks` shows the values.
      const frames = g.frames
        .slice(0, top)
        .map((f) => ({ ...f, args: { text: "", differ: [], all: false } }));
      const rows = groupRows(frames, [], new Map());
      for (const l of rowLines(rows, c, "    ")) out.push(l);
      if (g.frames.length > top) out.push(`    ${c.dim(`… ${g.frames.length - top} more frames`)}`);
    }
  }
  return out;
}
