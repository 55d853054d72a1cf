// Leak findings as SARIF 2.1.0 that GitHub code scanning and GitLab accept and place on a repository's files.
import { isSafeRelativePath, plain } from "@gosleuth/text";
import type { Log, Result, Location as SarifLocation } from "sarif";
import type { Finding, LeakReport, Location } from "./finding.ts";
import type { Incident } from "./incident.ts";
import { type RuleId, ruleOf, sarifRule } from "./sarif-rules.ts";
import type { Severity } from "./settings.ts";

export interface SarifOptions {
  /** Report info findings too (default: low and above). */
  includeInfo?: boolean;
  toolVersion?: string;
  /**
   * Prefix rewrites from dump paths to repository paths, tried longest prefix first: `leakybank/` →
   * `services/leakybank/`, or an absolute build prefix → `""`.
   */
  pathMap?: readonly { from: string; to: string }[];
  /** The Go module path (`github.com/acme/shop`): files under it are the repository's own code. */
  module?: string;
  /** The module's folder relative to the repository root (`""`: the root). */
  moduleDir?: string;
  /** The project's repository URL (`https://github.com/owner/gosleuth`), for the rules' help links. */
  repositoryUrl?: string;
  /** `automationDetails.id`: tells runs of different jobs apart in code scanning. */
  automationId?: string;
}

const LEVEL: Record<Severity, Result.level> = { high: "error", medium: "warning", low: "note", info: "none" };

/**
 * SARIF message text: plain text with control characters escaped, long names cut, and brackets escaped so that
 * dump text cannot form one of SARIF's embedded links (`[text](target)`).
 */
function msg(s: string): string {
  return plain(s).replace(/[[\]\\]/g, (c) => `\\${c}`);
}

/** Percent-encodes each segment, so `?`, `#`, `%` and spaces in a file name stay part of the path. */
function encodePath(p: string): string {
  return p
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
}

/** Maps a dump path to a repository path, or null when the file is not in the repository. */
export function repositoryPath(file: string, o: SarifOptions): string | null {
  let mapped: string | null = null;
  const maps = [...(o.pathMap ?? [])].sort((a, b) => b.from.length - a.from.length);
  const hit = maps.find((m) => file.startsWith(m.from));
  if (hit) mapped = hit.to + file.slice(hit.from.length);
  else if (o.module && file.startsWith(`${o.module}/`)) {
    const dir = (o.moduleDir ?? "").replace(/\/+$/, "");
    const rest = file.slice(o.module.length + 1);
    mapped = dir ? `${dir}/${rest}` : rest;
  }
  if (mapped === null) return null;
  mapped = mapped.replace(/^(\.\/)+/, "");
  return isSafeRelativePath(mapped) ? mapped : null;
}

/** Frames of a finding, innermost first, read back from its signature (`function file:line` lines). */
function stackFrames(f: Finding): Location[] {
  const out: Location[] = [];
  for (const line of f.signature.split("\n").slice(1)) {
    const m = /^(\S+) (.+):(\d+)$/.exec(line);
    if (m) out.push({ function: m[1]!, file: m[2]!, line: Number(m[3]) });
  }
  return out;
}

function where(l: Location): string {
  return `${l.function} (${l.file}:${l.line})`;
}

function physical(path: string, line: number) {
  return {
    artifactLocation: { uri: encodePath(path), uriBaseId: "SRCROOT" },
    region: { startLine: Math.max(1, line) },
  };
}

/** The result's location and the words that say how it was chosen. */
function placeResult(
  f: Finding,
  o: SarifOptions,
): { location: SarifLocation; note: string; used: Location | null } {
  const frames = stackFrames(f);
  for (const fr of frames) {
    const p = repositoryPath(fr.file, o);
    if (p)
      return {
        location: { physicalLocation: physical(p, fr.line), logicalLocations: [logical(fr)] },
        note: "",
        used: fr,
      };
  }
  if (f.creator) {
    const p = repositoryPath(f.creator.file, o);
    if (p)
      return {
        location: { physicalLocation: physical(p, f.creator.line), logicalLocations: [logical(f.creator)] },
        note: `Placed at the go statement that created them: no frame of their stack is in the repository.`,
        used: f.creator,
      };
  }
  // Nothing maps into the repository: the blocking frame (or the start function), said so. A path that is not
  // a safe relative one is percent-encoded whole, so it can be neither a scheme nor a way out of the checkout.
  const b = f.blockingFrame ?? frames[0] ?? null;
  return {
    location: {
      physicalLocation: {
        artifactLocation: outsideArtifact(b?.file ?? "unknown"),
        region: { startLine: Math.max(1, b?.line ?? 1) },
      },
      ...(b ? { logicalLocations: [logical(b)] } : {}),
    },
    note: `No frame of this group is in the repository (give --module or --path-map): placed at the blocking frame${b ? ` ${where(b)}` : ""}, outside the repository.`,
    used: b,
  };
}

/**
 * An artifact outside the repository for the one location a result must have: a relative path stays relative, an
 * absolute one becomes a `file:` URI, anything else (a scheme such as `javascript:`, `..`, control characters) is
 * percent-encoded whole, so it is neither a scheme nor a way out of the checkout.
 */
function outsideArtifact(raw: string): { uri: string; uriBaseId?: string } {
  if (isSafeRelativePath(raw)) return { uri: encodePath(raw), uriBaseId: "SRCROOT" };
  const abs =
    /^(\/|[A-Za-z]:\/)/.test(raw) && !/[\u0000-\u001f\u007f\\]/.test(raw) && !raw.split("/").includes("..");
  if (abs) return { uri: `file://${raw.startsWith("/") ? "" : "/"}${encodePath(raw)}` };
  return { uri: encodeURIComponent(raw), uriBaseId: "SRCROOT" };
}

function logical(l: Location) {
  return { fullyQualifiedName: plain(l.function), kind: "function" };
}

/** Related information: the blocking frame and the creator, as locations when in the repository, else as text. */
function related(f: Finding, used: Location | null, o: SarifOptions): SarifLocation[] {
  const out: SarifLocation[] = [];
  const add = (l: Location | null, what: string) => {
    if (!l || (used && l.file === used.file && l.line === used.line && l.function === used.function)) return;
    const p = repositoryPath(l.file, o);
    const id = out.length + 1;
    if (p)
      out.push({
        id,
        message: { text: msg(`${what} ${l.function}`) },
        physicalLocation: physical(p, l.line),
      });
    else out.push({ id, message: { text: msg(`${what} ${where(l)}, outside the repository`) } });
  };
  add(f.blockingFrame, "blocked in");
  add(f.creator, "created by");
  return out;
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

/** Where an incident's result goes: its root cause when that is in the repository, else where its lead group goes. */
function placeIncident(x: Incident, lead: Finding, o: SarifOptions): ReturnType<typeof placeResult> {
  const r = x.rootCause;
  const p = r ? repositoryPath(r.file, o) : null;
  if (r && p)
    return {
      location: { physicalLocation: physical(p, r.line), logicalLocations: [logical(r)] },
      note: "",
      used: r,
    };
  return placeResult(lead, o);
}

/** One result for an incident of several groups: at its root cause, its groups as related locations. */
function incidentResult(x: Incident, report: LeakReport, used: RuleId[], o: SarifOptions): Result {
  const lead = report.findings[x.findings[0]!]!;
  const place = placeIncident(x, lead, o);
  const text = [x.title, ...x.reasons, place.note].filter(Boolean).join(". ");
  const rel: SarifLocation[] = x.findings.map((i, k) => {
    const f = report.findings[i]!;
    const at = placeResult(f, o);
    const what = `${f.count} × ${f.startFunction} [${f.state}]`;
    return at.note === ""
      ? {
          id: k + 1,
          message: { text: msg(`${what} blocked in ${at.used?.function ?? "?"}`) },
          physicalLocation: at.location.physicalLocation,
        }
      : {
          id: k + 1,
          message: {
            text: msg(`${what} blocked in ${at.used ? where(at.used) : "?"}, outside the repository`),
          },
        };
  });
  return {
    ruleId: `gosleuth/${ruleOf(lead)}`,
    ruleIndex: used.indexOf(ruleOf(lead)),
    level: LEVEL[x.severity],
    message: { text: msg(text) },
    locations: [place.location],
    relatedLocations: rel,
    // The lead group's key: the incident keeps the fingerprint its strongest group had on its own.
    partialFingerprints: { "goroutineGroup/v1": hashKey(lead.key) },
    properties: {
      severity: x.severity,
      score: x.score,
      count: x.count,
      incident: x.id,
      kind: x.kind,
      groups: x.findings.length,
      startFunction: plain(lead.startFunction),
      sampleIds: lead.sampleIds,
    },
  };
}

/** One result per incident of several groups or with evidence of a cause (at its root cause, its groups related), and per other group. */
export function toSarif(report: LeakReport, o: SarifOptions = {}): Log {
  const incidentOf = new Map<number, Incident>();
  for (const x of report.incidents ?? []) for (const i of x.findings) incidentOf.set(i, x);
  const gatheredIncident = (i: number) => {
    const x = incidentOf.get(i);
    return x && (x.findings.length > 1 || x.reasons.length > 0) ? x : undefined;
  };
  const shown = report.findings
    .map((f, i) => ({ f, i }))
    .filter(({ f, i }) => o.includeInfo || f.severity !== "info" || gatheredIncident(i) !== undefined);
  const used = [
    ...new Set(
      shown.map(({ f, i }) =>
        ruleOf(gatheredIncident(i) ? report.findings[gatheredIncident(i)!.findings[0]!]! : f),
      ),
    ),
  ];
  const done = new Set<Incident>();
  const results: Result[] = [];
  for (const { f, i } of shown) {
    const x = gatheredIncident(i);
    if (x) {
      if (!done.has(x)) results.push(incidentResult(x, report, used, o));
      done.add(x);
      continue;
    }
    results.push(groupResult(f, used, o));
  }
  return sarifLog(report, results, used, o);
}

/** The result of one group on its own (as before incidents). */
function groupResult(f: Finding, used: RuleId[], o: SarifOptions): Result {
  const place = placeResult(f, o);
  const text = [...f.reasons, place.note].filter(Boolean).join(". ");
  const rel = related(f, place.used, o);
  return {
    ruleId: `gosleuth/${ruleOf(f)}`,
    ruleIndex: used.indexOf(ruleOf(f)),
    level: LEVEL[f.severity],
    message: { text: msg(text) },
    locations: [place.location],
    ...(rel.length > 0 ? { relatedLocations: rel } : {}),
    // The group key (stack signature + creator site) is the same in every run of one binary; the location
    // is not part of it, so a new --path-map does not make every finding look new.
    partialFingerprints: { "goroutineGroup/v1": hashKey(f.key) },
    properties: {
      severity: f.severity,
      score: f.score,
      count: f.count,
      state: plain(f.state),
      waitMinutes: f.waitMinutes,
      startFunction: plain(f.startFunction),
      sampleIds: f.sampleIds,
      proven: f.proven,
      ...(f.growth ? { countsPerSnapshot: f.growth.counts, growth: f.growth.verdict } : {}),
    },
  };
}

function sarifLog(report: LeakReport, results: Result[], used: RuleId[], o: SarifOptions): Log {
  const info = o.repositoryUrl?.replace(/\/+$/, "");
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "gosleuth",
            ...(info ? { informationUri: info } : {}),
            version: o.toolVersion ?? "0.1.0",
            rules: used.map((id) => sarifRule(id, o.repositoryUrl)),
          },
        },
        automationDetails: { id: o.automationId ?? "gosleuth/leaks/" },
        originalUriBaseIds: {
          SRCROOT: { description: { text: "The root of the repository checkout" } },
        },
        results,
        properties: {
          goroutines: report.input.goroutines,
          snapshots: report.input.snapshots,
          ...(o.module ? { module: o.module } : {}),
          ...(report.input.times ? { snapshotTimes: report.input.times } : {}),
        },
      },
    ],
  };
}
