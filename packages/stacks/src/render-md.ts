// `stacks --format md`, for issues and chats: headings in prose, every stack in a fence that nothing in
// the dump can close.
import { mdCode, mdFence, mdText } from "@gosleuth/text";
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

/** Frames as aligned plain lines (the fence escapes control characters). */
/** One line per row (pushed one by one by callers: see render-text.ts's rowLines). */
export function plainRows(rows: readonly Row[], indent: string): string[] {
  const [wp, ww] = widths(rows);
  return rows.map((r) =>
    r.kind === "note"
      ? `${indent}${r.call}`
      : `${indent}${r.pkg.padEnd(wp)}  ${r.where.padEnd(ww)}  ${r.call}`,
  );
}

export function renderMarkdown(r: StacksReport): string {
  const out: string[] = [];
  out.push(`# Stacks of ${mdCode(r.input)}`, "", mdText(summaryLine(r)));
  const crash = r.crash;
  if (crash) {
    out.push("", "## Crash", "", mdFence(crash.message.split("\n").map(messageLine).join("\n"), "text"));
    for (const line of crashIntro(crash)) out.push("", mdText(line));
    if (crash.stack) {
      const body = [crashedHeader(crash.stack, crash.kind)];
      for (const l of plainRows(goroutineRows(crash.stack.frames, crash.stack.elided, r.pointerNames), "  "))
        body.push(l);
      const cb = createdByGoroutine(crash.stack);
      if (cb) body.push(`  ${cb}`);
      out.push("", mdFence(body.join("\n"), "text"));
    }
    if (crash.runtimeStack.length > 0) {
      const body = ["runtime stack:"];
      for (const l of plainRows(goroutineRows(crash.runtimeStack, [], r.pointerNames), "  ")) body.push(l);
      out.push("", mdFence(body.join("\n"), "text"));
    }
    const regs = registerLines(crash);
    if (regs.length > 0)
      out.push("", mdFence([`registers (${crash.registers.length}):`, ...regs].join("\n"), "text"));
  }
  if (r.races.length > 0) {
    out.push("", `## Data races (${r.races.length})`);
    r.races.forEach((race, i) => {
      const body: string[] = [];
      for (const a of race.accesses) {
        body.push(accessText(a));
        for (const l of plainRows(raceRows(a.frames), "  ")) body.push(l);
      }
      for (const g of race.goroutines) {
        body.push(`goroutine ${g.id} (${g.status}) created at:`);
        for (const l of plainRows(raceRows(g.createdAt), "  ")) body.push(l);
      }
      out.push("", `### ${mdText(raceTitle(race, i))}`, "", mdFence(body.join("\n"), "text"));
    });
  }
  if (r.pointerNames.size > 0) {
    out.push(
      "",
      "## Shared values",
      "",
      "| name | value | goroutines | groups |",
      "| --- | --- | ---: | ---: |",
    );
    for (const [value, name] of [...r.pointerNames].slice(0, SHARED_SHOWN)) {
      const u = r.pointerUse.get(name)!;
      out.push(`| ${name} | ${mdCode(value)} | ${u.goroutines} | ${u.groups} |`);
    }
  }
  if (r.groups.length > 0) out.push("", "## Groups");
  for (const g of r.groups) {
    const labels = labelsText(g);
    out.push("", `### ${mdText([countText(g.count), ...groupFacts(g)].join(" · "))}`);
    if (onlyCrashed(r, g)) {
      out.push("", mdText(`Goroutine ${g.ids[0]}, the one that crashed (its stack is above).`));
      continue;
    }
    const body: string[] = [];
    const ids = idsText(g);
    if (ids) body.push(ids);
    if (labels) body.push(labels);
    for (const l of plainRows(groupRows(g.frames, g.elided, r.pointerNames), "  ")) body.push(l);
    const created = createdText(g);
    if (created) body.push(created);
    out.push("", mdFence(body.join("\n"), "text"));
  }
  if (r.omitted.groups > 0) {
    out.push(
      "",
      mdText(`${moreGroupsText(r.omitted.groups)} (${countText(r.omitted.goroutines)}) not shown.`),
    );
  }
  return `${out.join("\n")}\n`;
}
