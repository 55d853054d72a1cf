// Leak reports for people (terminal text, Markdown) and machines (versioned JSON, SARIF 2.1.0), and the CI gate.
import { formatCount } from "@gosleuth/model";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { Category, Finding, LeakReport } from "./finding.ts";
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

/** Incidents of more than one group: the ones a report leads with (a single group is shown as its finding). */
function gathered(report: LeakReport): Incident[] {
  return report.incidents.filter((x) => x.findings.length > 1);
}

function memberLine(f: Finding): string {
  return `${fmt(f.count)} × ${f.startFunction || "(no frames)"} [${f.state}${wait(f) ? `, ${wait(f)}` : ""}] at ${where(f)}`;
}

function wait(f: Finding): string {
  const { min, max } = f.waitMinutes;
  if (max === 0) return "";
  return min === max ? `${max} min` : `${min}–${max} min`;
}

function where(f: Finding): string {
  const b = f.blockingFrame;
  return b ? `${b.function} (${b.file}:${b.line})` : f.startFunction;
}

export interface TextOptions {
  color?: boolean;
  /** Show info findings too (default: only a count of them). */
  all?: boolean;
}

export function renderText(report: LeakReport, o: TextOptions = {}): string {
  const c = (code: string, s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sevColor: Record<Severity, string> = { high: "1;31", medium: "33", low: "36", info: "2" };
  const lines: string[] = [];
  const s = report.summary;
  const snaps = report.input.snapshots > 1 ? ` across ${report.input.snapshots} snapshots` : "";
  lines.push(
    c("1", `gosleuth leaks: ${fmt(report.input.goroutines)} goroutines${snaps}`) +
      ` · ${report.incidents.length} incident${report.incidents.length === 1 ? "" : "s"} · ${c(sevColor.high, `${s.high} high`)} · ${c(sevColor.medium, `${s.medium} medium`)} · ${s.low} low · ${s.info} info${s.proven ? ` · ${s.proven} proven by the runtime` : ""}`,
  );
  const inIncident = new Set<number>();
  for (const x of gathered(report)) {
    for (const i of x.findings) inIncident.add(i);
    lines.push("");
    lines.push(
      `${c(sevColor[x.severity], `INCIDENT ${x.id} ${x.severity.toUpperCase()}`)} · ${x.kind} · ${fmt(x.count)} goroutines in ${x.findings.length} groups`,
    );
    lines.push(`   ${c("1", x.title)}`);
    if (x.rootCause)
      lines.push(`   root cause: ${x.rootCause.function} (${x.rootCause.file}:${x.rootCause.line})`);
    for (const r of x.reasons) lines.push(`   - ${r}`);
    for (const i of x.findings) {
      const f = report.findings[i]!;
      lines.push(`   · ${c(sevColor[f.severity], f.severity)} ${memberLine(f)}`);
    }
  }
  const shown = report.findings.filter((f, i) => !inIncident.has(i) && (o.all || f.severity !== "info"));
  shown.forEach((f, i) => {
    lines.push("");
    const head = `${i + 1}. ${c(sevColor[f.severity], f.severity.toUpperCase())} score ${f.score} · ${fmt(f.count)} × ${f.startFunction || "(no frames)"} [${f.state}${wait(f) ? `, ${wait(f)}` : ""}]${f.proven ? c("1;31", " PROVEN LEAKED") : ""}`;
    lines.push(head);
    lines.push(`   at ${where(f)}`);
    if (f.creator) lines.push(`   created by ${f.creator.function} (${f.creator.file}:${f.creator.line})`);
    for (const r of f.reasons) lines.push(`   - ${r}`);
    if (f.growth && f.growth.counts.length > 1)
      lines.push(`   counts per snapshot: ${f.growth.counts.map(fmt).join(" → ")}`);
    lines.push(`   e.g. goroutines ${f.sampleIds.join(", ")}`);
  });
  const hidden = report.findings.length - shown.length - inIncident.size;
  if (hidden > 0)
    lines.push(
      "",
      c(
        "2",
        `${hidden} info group${hidden === 1 ? "" : "s"} not shown (healthy or benign; --format json lists everything)`,
      ),
    );
  if (shown.length === 0 && inIncident.size === 0) lines.push("", "No leak suspects.");
  return `${lines.join("\n")}\n`;
}

const mdEscape = (s: string) => s.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, "\\$1");

export function renderMarkdown(report: LeakReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push("## gosleuth leak report", "");
  out.push(
    `${fmt(report.input.goroutines)} goroutines${report.input.snapshots > 1 ? ` across ${report.input.snapshots} snapshots` : ""}: ${report.incidents.length} incident${report.incidents.length === 1 ? "" : "s"}; groups **${s.high} high**, ${s.medium} medium, ${s.low} low, ${s.info} info${s.proven ? `, ${s.proven} proven by the runtime` : ""}.`,
    "",
  );
  const inIncident = new Set<number>();
  for (const x of gathered(report)) {
    for (const i of x.findings) inIncident.add(i);
    out.push(`### ${x.id} ${x.severity}: ${mdEscape(x.title)}`, "");
    out.push(
      `${x.kind}, ${fmt(x.count)} goroutines in ${x.findings.length} groups${x.rootCause ? `; root cause \`${x.rootCause.function}\` ${mdEscape(x.rootCause.file)}:${x.rootCause.line}` : ""}.`,
      "",
    );
    for (const r of x.reasons) out.push(`- ${mdEscape(r)}`);
    out.push(
      "",
      "| severity | goroutines | started with | state | wait | blocked at |",
      "| --- | ---: | --- | --- | --- | --- |",
    );
    for (const i of x.findings) {
      const f = report.findings[i]!;
      const b = f.blockingFrame;
      out.push(
        `| ${f.severity} | ${fmt(f.count)} | \`${f.startFunction}\` | ${mdEscape(f.state)} | ${wait(f) || "–"} | ${b ? `\`${b.function}\` ${mdEscape(b.file)}:${b.line}` : "–"} |`,
      );
    }
    out.push("");
  }
  const shown = report.findings.filter((f, i) => !inIncident.has(i) && f.severity !== "info");
  if (shown.length === 0) {
    if (inIncident.size === 0) out.push("No leak suspects.", "");
    return out.join("\n");
  }
  if (inIncident.size > 0) out.push("### Other groups", "");
  out.push(
    "| severity | score | goroutines | started with | state | wait | blocked at |",
    "| --- | ---: | ---: | --- | --- | --- | --- |",
  );
  for (const f of shown) {
    const b = f.blockingFrame;
    out.push(
      `| ${f.severity}${f.proven ? " (proven)" : ""} | ${f.score} | ${fmt(f.count)} | \`${f.startFunction}\` | ${mdEscape(f.state)} | ${wait(f) || "–"} | ${b ? `\`${b.function}\` ${mdEscape(b.file)}:${b.line}` : "–"} |`,
    );
  }
  out.push("");
  for (const f of shown) {
    out.push(
      `<details><summary>${f.severity}: ${fmt(f.count)} × <code>${escapeHtml(f.startFunction)}</code></summary>`,
      "",
    );
    for (const r of f.reasons) out.push(`- ${mdEscape(r)}`);
    if (f.growth && f.growth.counts.length > 1)
      out.push(`- counts per snapshot: ${f.growth.counts.map(fmt).join(" → ")}`);
    out.push(
      `- sample goroutines: ${f.sampleIds.join(", ")}`,
      "",
      "```",
      f.signature,
      "```",
      "",
      "</details>",
      "",
    );
  }
  return out.join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The documented JSON document (`schema/leak-report.v2.json`). */
export function toJson(report: LeakReport): LeakReport {
  return report;
}

const RULES: Record<Exclude<Category, "benign" | "ignored">, string> = {
  "nil-channel": "Goroutines blocked forever on a nil channel",
  "empty-select": "Goroutines blocked forever in select {}",
  "blocked-chan-send": "Goroutines piling up blocked on a channel send",
  "blocked-chan-receive": "Goroutines piling up blocked on a channel receive",
  "blocked-select": "Goroutines piling up blocked in select",
  "cond-wait": "Goroutines piling up on a sync.Cond that is not signalled",
  "lock-wait": "Goroutines piling up waiting for a lock",
  "waitgroup-wait": "Goroutines piling up on a sync.WaitGroup",
  "semaphore-wait": "Goroutines piling up on a semaphore",
  "io-wait": "Goroutines piling up in IO wait",
  sleep: "Goroutines piling up sleeping",
  running: "Many goroutines running",
  runtime: "Runtime goroutines",
  other: "Goroutines piling up",
};

const LEVEL: Record<Severity, Result.level> = { high: "error", medium: "warning", low: "note", info: "none" };

/** A file as a SARIF artifact URI: absolute paths become file:// URIs, others stay relative to the source root. */
function artifactUri(file: string): { uri: string; uriBaseId?: string } {
  if (/^[A-Za-z]:\//.test(file)) return { uri: `file:///${encodeURI(file)}` };
  if (file.startsWith("/")) return { uri: `file://${encodeURI(file)}` };
  return { uri: encodeURI(file.replace(/^\.\//, "")), uriBaseId: "SRCROOT" };
}

export function toSarif(report: LeakReport, o: { includeInfo?: boolean; toolVersion?: string } = {}): Log {
  const findings = report.findings.filter((f) => o.includeInfo || f.severity !== "info");
  const used = [
    ...new Set(
      findings.map((f) => (f.category === "benign" || f.category === "ignored" ? "other" : f.category)),
    ),
  ];
  const rules: ReportingDescriptor[] = used.map((id) => ({
    id: `gosleuth/${id}`,
    name: id.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: RULES[id as keyof typeof RULES] ?? "Goroutines piling up" },
    helpUri: "https://pkg.go.dev/runtime/pprof#Profile",
    properties: { tags: ["goroutine-leak", "concurrency"] },
  }));
  const results: Result[] = findings.map((f) => {
    const cat = f.category === "benign" || f.category === "ignored" ? "other" : f.category;
    const loc = f.blockingFrame ?? (f.creator ? { ...f.creator } : null);
    const r: Result = {
      ruleId: `gosleuth/${cat}`,
      ruleIndex: used.indexOf(cat),
      level: LEVEL[f.severity],
      message: { text: f.reasons.join(". ") },
      partialFingerprints: { goroutineGroup: hashKey(f.key) },
      properties: {
        severity: f.severity,
        score: f.score,
        count: f.count,
        state: f.state,
        waitMinutes: f.waitMinutes,
        startFunction: f.startFunction,
        sampleIds: f.sampleIds,
        proven: f.proven,
        ...(f.growth ? { countsPerSnapshot: f.growth.counts, growth: f.growth.verdict } : {}),
      },
    };
    if (loc?.file) {
      r.locations = [
        {
          physicalLocation: {
            artifactLocation: artifactUri(loc.file),
            region: { startLine: Math.max(1, loc.line) },
          },
          logicalLocations: [{ fullyQualifiedName: loc.function, kind: "function" }],
        },
      ];
    }
    if (f.creator?.file) {
      r.relatedLocations = [
        {
          id: 1,
          message: { text: `created by ${f.creator.function}` },
          physicalLocation: {
            artifactLocation: artifactUri(f.creator.file),
            region: { startLine: Math.max(1, f.creator.line) },
          },
        },
      ];
    }
    return r;
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "gosleuth",
            informationUri: "https://github.com/gosleuth/gosleuth",
            version: o.toolVersion ?? "0.1.0",
            rules,
          },
        },
        originalUriBaseIds: {
          SRCROOT: {
            description: { text: "The root of the Go module (trimpath-relative and module paths)" },
          },
        },
        results,
        properties: { goroutines: report.input.goroutines, snapshots: report.input.snapshots },
      },
    ],
  };
}

function hashKey(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x1234567;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 2246822519) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

function diffLine(e: DiffEntry): string {
  const sign = e.delta > 0 ? "+" : "";
  const w = e.waitAfter && e.waitAfter.max > 0 ? `, wait up to ${e.waitAfter.max} min` : "";
  return `${sign}${fmt(e.delta)} (${fmt(e.before)} → ${fmt(e.after)}) ${e.startFunction} [${e.state}${w}]${e.creator ? ` created by ${e.creator}` : ""}`;
}

function diffSections(d: DumpDiff): [string, DiffEntry[]][] {
  return [
    ["Grown", d.grown],
    ["New", d.new],
    ["Shrunk", d.shrunk],
    ["Gone", d.gone],
  ];
}

export function renderDiffText(d: DumpDiff): string {
  const out = [
    `gosleuth diff: ${fmt(d.before)} → ${fmt(d.after)} goroutines (${d.after - d.before >= 0 ? "+" : ""}${fmt(d.after - d.before)})`,
  ];
  for (const [title, list] of diffSections(d)) {
    if (list.length === 0) continue;
    out.push("", `${title} (${list.length})`);
    for (const e of list) out.push(`  ${diffLine(e)}`);
  }
  out.push("", `${d.unchanged} group${d.unchanged === 1 ? "" : "s"} unchanged`);
  return `${out.join("\n")}\n`;
}

export function renderDiffMarkdown(d: DumpDiff): string {
  const out = ["## gosleuth diff", "", `${fmt(d.before)} → ${fmt(d.after)} goroutines.`, ""];
  for (const [title, list] of diffSections(d)) {
    if (list.length === 0) continue;
    out.push(
      `### ${title}`,
      "",
      "| change | before | after | started with | state |",
      "| ---: | ---: | ---: | --- | --- |",
    );
    for (const e of list)
      out.push(
        `| ${e.delta > 0 ? "+" : ""}${fmt(e.delta)} | ${fmt(e.before)} | ${fmt(e.after)} | \`${e.startFunction}\` | ${mdEscape(e.state)} |`,
      );
    out.push("");
  }
  out.push(`${d.unchanged} groups unchanged.`, "");
  return out.join("\n");
}
