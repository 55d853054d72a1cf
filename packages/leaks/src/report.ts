// Leak reports for people (terminal text, Markdown) and machines (versioned JSON; SARIF is in sarif.ts), and the CI gate.
import { formatCount } from "@gosleuth/model";
import { cut, mdCode, mdFence, mdText, plain } from "@gosleuth/text";
import type { Finding, LeakReport, Location } from "./finding.ts";
import type { Incident } from "./incident.ts";
import type { Severity } from "./settings.ts";
import type { DiffEntry, DumpDiff } from "./snapshots.ts";

const fmt = formatCount;
const RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

/** The incidents at `level` or worse: what `--fail-on` counts (one per cause, not one per group). */
export function failingIncidents(report: LeakReport, level: Exclude<Severity, "info">): Incident[] {
  return report.incidents.filter((x) => RANK[x.severity] >= RANK[level]);
}

/** True when some incident is at `level` or worse (for `--fail-on`). */
export function failOn(report: LeakReport, level: Exclude<Severity, "info">): boolean {
  return failingIncidents(report, level).length > 0;
}

/**
 * Incidents of more than one group, or of one group with evidence of a cause (a WaitGroup nothing can bring to
 * zero): the ones a report leads with. A single group without such evidence is shown as its finding.
 */
function gathered(report: LeakReport): Incident[] {
  return report.incidents.filter((x) => x.findings.length > 1 || x.reasons.length > 0);
}

const groups = (x: Incident) => (x.findings.length === 1 ? "1 group" : `${fmt(x.findings.length)} groups`);

function memberLine(f: Finding): string {
  return `${fmt(f.count)} × ${plain(f.startFunction) || "(no frames)"} [${plain(f.state)}${wait(f) ? `, ${wait(f)}` : ""}] at ${where(f)}${f.benignAlone ? " (known-benign on its own, not here)" : ""}`;
}

/** A member's severity in its incident: a known-benign group inside a leak incident is part of the leak. */
function memberSeverity(f: Finding, x: Incident): Severity {
  return f.benignAlone ? x.severity : f.severity;
}

/** How many incidents are at `level` or worse (the line `--fail-on` prints when it trips). */
export function countAtOrAbove(report: LeakReport, level: Exclude<Severity, "info">): number {
  return failingIncidents(report, level).length;
}

function wait(f: Finding): string {
  const { min, max } = f.waitMinutes;
  if (max === 0) return "";
  return min === max ? `${max} min` : `${min}–${max} min`;
}

/** A location as text for a terminal: control characters escaped, long names cut. */
function at(l: Location): string {
  return `${plain(l.function)} (${plain(l.file)}:${l.line})`;
}

function where(f: Finding): string {
  return f.blockingFrame ? at(f.blockingFrame) : plain(f.startFunction);
}

/** How the snapshots' times were found, in words (several snapshots only). */
function timesNote(report: LeakReport): string {
  const t = report.input.times;
  if (report.input.snapshots < 2 || !t) return "";
  const apart =
    t.minutesApart === undefined
      ? ""
      : `${t.minutesApart >= 1 ? `${fmt(t.minutesApart)} min` : `${fmt(t.minutesApart * 60)} s`} apart`;
  switch (t.source) {
    case "fetched":
      return "times: when each snapshot was fetched";
    case "file-times":
      return "times: the files' modification times";
    case "interval":
      return `times: --interval, ${apart}`;
    default:
      return "times unknown: assumed one minute apart, so rates per minute rest on that; --interval sets it";
  }
}

/** What a score is measured against: scores add up points and have no upper bound. */
function scaleNote(t: NonNullable<LeakReport["thresholds"]>): string {
  return `Scores add up the points of each finding's factors (no upper bound): high from ${t.high}, medium from ${t.medium}, low from ${t.low}.`;
}

export interface TextOptions {
  color?: boolean;
  /** Show info findings too (default: only a count of them). */
  all?: boolean;
}

// Reasons embed function names; a reason is allowed more room than one name before it is cut.
const REASON_MAX = 1000;

/** The report for a terminal or a text file. Dump text is shown with control characters escaped, TTY or not. */
export function renderText(report: LeakReport, o: TextOptions = {}): string {
  const c = (code: string, s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sevColor: Record<Severity, string> = { high: "1;31", medium: "33", low: "36", info: "2" };
  const lines: string[] = [];
  const s = report.summary;
  const snaps = report.input.snapshots > 1 ? ` across ${report.input.snapshots} snapshots` : "";
  lines.push(
    c("1", `gosleuth leaks: ${fmt(report.input.goroutines)} goroutines${snaps}`) +
      ` · ${fmt(report.incidents.length)} incident${report.incidents.length === 1 ? "" : "s"} · ${c(sevColor.high, `${fmt(s.high)} high`)} · ${c(sevColor.medium, `${fmt(s.medium)} medium`)} · ${fmt(s.low)} low · ${fmt(s.info)} info${s.proven ? ` · ${fmt(s.proven)} proven by the runtime` : ""}`,
  );
  if (report.input.limits) lines.push(c("2", `Note: ${report.input.limits}`));
  if (report.thresholds) lines.push(c("2", scaleNote(report.thresholds)));
  const times = timesNote(report);
  if (times) lines.push(c("2", `(${times})`));
  const inIncident = new Set<number>();
  for (const x of gathered(report)) {
    for (const i of x.findings) inIncident.add(i);
    lines.push("");
    lines.push(
      `${c(sevColor[x.severity], `INCIDENT ${x.id} ${x.severity.toUpperCase()}`)} · ${x.kind} · ${fmt(x.count)} goroutines in ${groups(x)}`,
    );
    lines.push(`   ${c("1", plain(x.title, REASON_MAX))}`);
    if (x.rootCause) lines.push(`   root cause: ${at(x.rootCause)}`);
    for (const r of x.reasons) lines.push(`   - ${plain(r, REASON_MAX)}`);
    for (const i of x.findings) {
      const f = report.findings[i]!;
      const sev = memberSeverity(f, x);
      lines.push(`   · ${c(sevColor[sev], sev)} ${memberLine(f)}`);
    }
  }
  const shown = report.findings.filter((f, i) => !inIncident.has(i) && (o.all || f.severity !== "info"));
  shown.forEach((f, i) => {
    lines.push("");
    const head = `${i + 1}. ${c(sevColor[f.severity], f.severity.toUpperCase())} score ${f.score} · ${fmt(f.count)} × ${plain(f.startFunction) || "(no frames)"} [${plain(f.state)}${wait(f) ? `, ${wait(f)}` : ""}]${f.proven ? c("1;31", " PROVEN LEAKED") : ""}`;
    lines.push(head);
    lines.push(`   at ${where(f)}`);
    if (f.creator) lines.push(`   created by ${at(f.creator)}`);
    for (const r of f.reasons) lines.push(`   - ${plain(r, REASON_MAX)}`);
    if (f.growth && f.growth.counts.length > 1)
      lines.push(`   counts per snapshot: ${f.growth.counts.map(fmt).join(" → ")}`);
    if (f.sampleIds.length > 0) lines.push(`   e.g. goroutines ${f.sampleIds.join(", ")}`);
  });
  const hidden = report.findings.length - shown.length - inIncident.size;
  if (hidden > 0)
    lines.push(
      "",
      c(
        "2",
        `${fmt(hidden)} info group${hidden === 1 ? "" : "s"} not shown (healthy or benign; --format json lists everything)`,
      ),
    );
  if (shown.length === 0 && inIncident.size === 0) lines.push("", "No leak suspects.");
  return `${lines.join("\n")}\n`;
}

/** A finding's stack in Go's own layout (function, then its file line), from the signature; no internal keys. */
function stackText(f: Finding): string {
  const out: string[] = [];
  for (const line of f.signature.split("\n").slice(1)) {
    const m = /^(\S+) (.+):(\d+)$/.exec(line);
    if (m) out.push(cut(m[1]!), `\t${cut(m[2]!)}:${m[3]}`);
    else out.push(cut(line === "..." ? "...additional frames elided..." : line));
  }
  if (f.creator)
    out.push(`created by ${cut(f.creator.function)}`, `\t${cut(f.creator.file)}:${f.creator.line}`);
  return out.join("\n");
}

const codeAt = (l: Location) => mdCode(`${l.function} ${l.file}:${l.line}`);

/**
 * The report as GitHub-flavoured Markdown. Dump text in tables and sentences goes through `mdCode` (a `<code>`
 * span nothing can close), stacks through `mdFence` (a fence longer than any backtick run inside).
 */
export function renderMarkdown(report: LeakReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push("## gosleuth leak report", "");
  const times = timesNote(report);
  out.push(
    `${fmt(report.input.goroutines)} goroutines${report.input.snapshots > 1 ? ` across ${report.input.snapshots} snapshots` : ""}: ${fmt(report.incidents.length)} incident${report.incidents.length === 1 ? "" : "s"}; groups **${fmt(s.high)} high**, ${fmt(s.medium)} medium, ${fmt(s.low)} low, ${fmt(s.info)} info${s.proven ? `, ${fmt(s.proven)} proven by the runtime` : ""}.${times ? ` ${times.replace(/^./, (ch) => ch.toUpperCase())}.` : ""}`,
    "",
  );
  if (report.input.limits) out.push(`Note: ${mdText(report.input.limits)}`, "");
  if (report.thresholds) out.push(mdText(scaleNote(report.thresholds)), "");
  const inIncident = new Set<number>();
  for (const x of gathered(report)) {
    for (const i of x.findings) inIncident.add(i);
    out.push(`### ${x.id} ${x.severity}: ${mdText(x.title, REASON_MAX)}`, "");
    out.push(
      `${x.kind}, ${fmt(x.count)} goroutines in ${groups(x)}${x.rootCause ? `; root cause ${codeAt(x.rootCause)}` : ""}.`,
      "",
    );
    for (const r of x.reasons) out.push(`- ${mdText(r, REASON_MAX)}`);
    out.push(
      "",
      "| severity | goroutines | started with | state | wait | blocked at |",
      "| --- | ---: | --- | --- | --- | --- |",
    );
    for (const i of x.findings) {
      const f = report.findings[i]!;
      const b = f.blockingFrame;
      out.push(
        `| ${memberSeverity(f, x)}${f.benignAlone ? " (known-benign on its own)" : ""} | ${fmt(f.count)} | ${mdCode(f.startFunction)} | ${mdCode(f.state)} | ${wait(f) || "–"} | ${b ? codeAt(b) : "–"} |`,
      );
    }
    out.push("");
  }
  const shown = report.findings.filter((f, i) => !inIncident.has(i) && f.severity !== "info");
  const hidden = report.findings.length - shown.length - inIncident.size;
  const hiddenLine = `${fmt(hidden)} info group${hidden === 1 ? "" : "s"} not shown (healthy or benign; \`--format json\` lists everything).`;
  if (shown.length === 0) {
    if (inIncident.size === 0) out.push("No leak suspects.", "");
    if (hidden > 0) out.push(hiddenLine, "");
    return out.join("\n");
  }
  if (inIncident.size > 0) out.push("### Other groups", "");
  out.push(
    "| severity | score | goroutines | started with | state | wait | blocked at | created by |",
    "| --- | ---: | ---: | --- | --- | --- | --- | --- |",
  );
  for (const f of shown) {
    const b = f.blockingFrame;
    out.push(
      `| ${f.severity}${f.proven ? " (proven)" : ""} | ${f.score} | ${fmt(f.count)} | ${mdCode(f.startFunction)} | ${mdCode(f.state)} | ${wait(f) || "–"} | ${b ? codeAt(b) : "–"} | ${f.creator ? codeAt(f.creator) : "–"} |`,
    );
  }
  out.push("");
  if (hidden > 0) out.push(hiddenLine, "");
  for (const f of shown) {
    out.push(`<details><summary>${f.severity}: ${fmt(f.count)} × ${mdCode(f.startFunction)}</summary>`, "");
    for (const r of f.reasons) out.push(`- ${mdText(r, REASON_MAX)}`);
    if (f.creator) out.push(`- created by ${codeAt(f.creator)}`);
    if (f.growth && f.growth.counts.length > 1)
      out.push(`- counts per snapshot: ${f.growth.counts.map(fmt).join(" → ")}`);
    if (f.sampleIds.length > 0) out.push(`- sample goroutines: ${f.sampleIds.join(", ")}`);
    out.push("", mdFence(stackText(f), "text"), "", "</details>", "");
  }
  return out.join("\n");
}

/** The documented JSON document (`schema/leak-report.v2.json`). */
export function toJson(report: LeakReport): LeakReport {
  return report;
}

function diffLine(e: DiffEntry): string {
  const sign = e.delta > 0 ? "+" : "";
  const w = e.waitAfter && e.waitAfter.max > 0 ? `, wait up to ${e.waitAfter.max} min` : "";
  return `${sign}${fmt(e.delta)} (${fmt(e.before)} → ${fmt(e.after)}) ${plain(e.startFunction)} [${plain(e.state)}${w}]${e.creator ? ` created by ${plain(e.creator)}` : ""}`;
}

function diffSections(d: DumpDiff): [string, DiffEntry[]][] {
  return [
    ["Grown", d.grown],
    ["New", d.new],
    ["Shrunk", d.shrunk],
    ["Gone", d.gone],
  ];
}

function total(d: DumpDiff): string {
  const delta = d.after - d.before;
  return `${fmt(d.before)} → ${fmt(d.after)} goroutines (${delta >= 0 ? "+" : ""}${fmt(delta)})`;
}

export function renderDiffText(d: DumpDiff): string {
  const out = [`gosleuth diff: ${total(d)}`];
  for (const [title, list] of diffSections(d)) {
    if (list.length === 0) continue;
    out.push("", `${title} (${list.length})`);
    for (const e of list) out.push(`  ${diffLine(e)}`);
  }
  out.push("", `${d.unchanged} group${d.unchanged === 1 ? "" : "s"} unchanged`);
  return `${out.join("\n")}\n`;
}

/** The diff as Markdown: the same total and creators as the text, dump text in `<code>` spans. */
export function renderDiffMarkdown(d: DumpDiff): string {
  const out = ["## gosleuth diff", "", `${total(d)}.`, ""];
  for (const [title, list] of diffSections(d)) {
    if (list.length === 0) continue;
    out.push(
      `### ${title} (${list.length})`,
      "",
      "| change | before | after | started with | state | created by |",
      "| ---: | ---: | ---: | --- | --- | --- |",
    );
    for (const e of list)
      out.push(
        `| ${e.delta > 0 ? "+" : ""}${fmt(e.delta)} | ${fmt(e.before)} | ${fmt(e.after)} | ${mdCode(e.startFunction)} | ${mdCode(e.state)} | ${e.creator ? mdCode(e.creator) : "–"} |`,
      );
    out.push("");
  }
  out.push(`${fmt(d.unchanged)} group${d.unchanged === 1 ? "" : "s"} unchanged.`, "");
  return out.join("\n");
}
