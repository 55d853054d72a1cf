// `gosleuth leaks`: leak suspects with reasons, from one dump, several snapshots, or a live endpoint polled at an interval.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import {
  analyzeProfiles,
  analyzeSnapshots,
  countAtOrAbove,
  type LeakReport,
  type PartialLeakSettings,
  type ProfileSnapshot,
  renderMarkdown,
  renderText,
  resolveSettings,
  runtimeVerdict,
  type SarifOptions,
  SettingsError,
  type Snapshot,
  type SnapshotTimes,
  toJson,
  toSarif,
} from "@gosleuth/leaks";
import type { Goroutine, GoroutineGroup } from "@gosleuth/model";
import { plain } from "@gosleuth/text";
import { CliError } from "../errors.ts";
import { color, colorEnabled, n, writeJson } from "../format.ts";
import { type FetchOptions, isUrl, loadDump } from "../input.ts";
import { consumeInput } from "../parallel.ts";
import { nothingCollected, poll, pollSummary } from "./poll.ts";

export interface LeaksOptions {
  format: "text" | "md" | "json" | "sarif";
  failOn?: "high" | "medium" | "low";
  config?: string;
  every?: number;
  count: number;
  threads?: string;
  interval?: number;
  pathMap?: { from: string; to: string }[];
  module?: string;
  sarifCategory?: string;
}

/** The `"sarif"` part of gosleuth.config.json. */
export interface SarifConfig {
  pathMap?: Record<string, string>;
  module?: string;
}

function configFile(path?: string): string | undefined {
  return path ?? (existsSync("gosleuth.config.json") ? "gosleuth.config.json" : undefined);
}

function readConfig(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CliError(
      code === "ENOENT"
        ? `${file}: no such settings file`
        : `${file}: not valid JSON (${(e as Error).message})`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new CliError(`${file}: expected a JSON object`);
  return raw as Record<string, unknown>;
}

/** Settings from --config, or ./gosleuth.config.json when present; precise errors otherwise. */
export function loadSettings(path?: string): PartialLeakSettings | undefined {
  const file = configFile(path);
  if (!file) return undefined;
  const raw = readConfig(file);
  const { sarif: _sarif, ...rest } = raw;
  const leaks = raw.leaks ?? rest;
  try {
    resolveSettings(leaks as PartialLeakSettings);
  } catch (e) {
    if (e instanceof SettingsError) throw new CliError(`${file}: ${e.problems.join("; ")}`);
    throw e;
  }
  return leaks as PartialLeakSettings;
}

/** The `"sarif"` part of the settings file, checked. */
export function loadSarifConfig(path?: string): SarifConfig {
  const file = configFile(path);
  if (!file) return {};
  const s = readConfig(file).sarif;
  if (s === undefined) return {};
  if (typeof s !== "object" || s === null || Array.isArray(s))
    throw new CliError(`${file}: \`sarif\` must be an object ({ "pathMap": {...}, "module": "..." })`);
  const { pathMap, module, ...other } = s as Record<string, unknown>;
  const unknown = Object.keys(other);
  if (unknown.length > 0)
    throw new CliError(`${file}: unknown setting \`sarif.${unknown[0]}\` (known here: pathMap, module)`);
  if (pathMap !== undefined) {
    if (typeof pathMap !== "object" || pathMap === null || Array.isArray(pathMap))
      throw new CliError(`${file}: \`sarif.pathMap\` must be an object of "from": "to" strings`);
    for (const [k, v] of Object.entries(pathMap))
      if (k === "" || typeof v !== "string")
        throw new CliError(`${file}: \`sarif.pathMap\` must map non-empty prefixes to strings (at "${k}")`);
  }
  if (module !== undefined && (typeof module !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._~/-]*$/.test(module)))
    throw new CliError(`${file}: \`sarif.module\` must be a Go module path, got ${JSON.stringify(module)}`);
  return {
    ...(pathMap ? { pathMap: pathMap as Record<string, string> } : {}),
    ...(module ? { module } : {}),
  };
}

/** The folder holding `.git` above `dir` (the checkout's root), or `dir` itself when there is none. */
function checkoutRoot(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return resolve(dir);
  }
}

/** `module` of ./go.mod, and that folder relative to the checkout's root. */
function goModBesideRun(): { module: string; dir: string } | null {
  let text: string;
  try {
    text = readFileSync("go.mod", "utf8");
  } catch {
    return null;
  }
  const m = /^\s*module\s+"?([^\s"]+)"?/m.exec(text);
  if (!m) return null;
  const cwd = process.cwd();
  return { module: m[1]!, dir: relative(checkoutRoot(cwd), cwd).split(sep).join("/") };
}

/** SARIF placement from the flags, then gosleuth.config.json, then ./go.mod. */
export function sarifOptions(o: LeaksOptions): SarifOptions {
  const cfg = loadSarifConfig(o.config);
  const maps = new Map(Object.entries(cfg.pathMap ?? {}));
  for (const m of o.pathMap ?? []) maps.set(m.from, m.to);
  const out: SarifOptions = { pathMap: [...maps].map(([from, to]) => ({ from, to })) };
  // Code scanning takes the category from the id up to its last slash.
  if (o.sarifCategory)
    out.automationId = o.sarifCategory.endsWith("/") ? o.sarifCategory : `${o.sarifCategory}/`;
  const gomod = goModBesideRun();
  const module = o.module ?? cfg.module ?? gomod?.module;
  if (module) {
    out.module = module;
    out.moduleDir = gomod && gomod.module === module ? gomod.dir : "";
  }
  return out;
}

export async function printReport(
  report: LeakReport,
  format: LeaksOptions["format"],
  sarif: SarifOptions = {},
): Promise<void> {
  // A finding at a time (writeJson): one per group, and a dump of 100,000 distinct stacks has 100,000.
  if (format === "json") await writeJson(toJson(report), 2);
  else if (format === "sarif") process.stdout.write(`${JSON.stringify(toSarif(report, sarif), null, 2)}\n`);
  else if (format === "md") process.stdout.write(renderMarkdown(report));
  else process.stdout.write(renderText(report, { color: colorEnabled }));
}

/** A snapshot as loaded: goroutines (debug=2 and the like) or profile groups (debug=1/debug=0). */
type LoadedSnapshot = Snapshot & { groups: readonly GoroutineGroup[]; format: string };

/**
 * When each snapshot was taken: the time each URL answered, else the files' modification times when they run
 * oldest first over at least a second (files copied together share nearly one time; `fetch` sets each file's
 * time to its response's), else `--interval` apart, else one minute apart (assumed, and said so).
 */
export function snapshotTimes(
  inputs: readonly string[],
  times: readonly (number | null)[],
  intervalMs?: number,
): { at: number[]; times: SnapshotTimes; reversed: boolean } {
  const known = times.every((t): t is number => t !== null);
  const rising = known && times.every((t, i) => i === 0 || t! > times[i - 1]!);
  const falling = known && times.every((t, i) => i === 0 || t! < times[i - 1]!);
  const span = known ? Math.abs(times[times.length - 1]! - times[0]!) : 0;
  if (rising && span >= 1000) {
    const source = inputs.every(isUrl) ? "fetched" : "file-times";
    return { at: times as number[], times: { source, assumed: false }, reversed: false };
  }
  const reversed = falling && span >= 1000 && times.length > 1;
  const step = intervalMs ?? 60_000;
  const t0 = Date.now() - step * (inputs.length - 1);
  return {
    at: inputs.map((_, i) => t0 + i * step),
    times:
      intervalMs !== undefined
        ? { source: "interval", assumed: false, minutesApart: step / 60_000 }
        : { source: "assumed", assumed: true, minutesApart: 1 },
    reversed,
  };
}

/**
 * Polls a URL `count` times (attempts), `every` ms apart, returning timestamped snapshots; a failed fetch is a
 * gap (said on stderr, then a backoff), Ctrl-C ends with the snapshots collected. Progress goes to stderr.
 */
export async function pollSnapshots(
  url: string,
  every: number,
  count: number,
  f: FetchOptions,
  onSnapshot?: (s: LoadedSnapshot[]) => void,
): Promise<LoadedSnapshot[]> {
  const snaps: LoadedSnapshot[] = [];
  const r = await poll("gosleuth leaks", url, { every, count }, async (i, attempt, signal) => {
    const started = Date.now();
    const d = await loadDump(url, { ...f, signal });
    snaps.push({
      goroutines: d.goroutines,
      groups: d.groups,
      format: d.format,
      takenAt: new Date(started),
      label: `${url}#${i}`,
      verdict: runtimeVerdict(d.preamble),
      complete: d.truncated === undefined,
    });
    const total = d.goroutines.length + d.groups.reduce((sum, g) => sum + g.count, 0);
    const which = i === attempt ? `${i}/${count}` : `${i} (fetch ${attempt}/${count})`;
    process.stderr.write(`gosleuth: snapshot ${which}: ${n(total)} goroutines\n`);
    onSnapshot?.(snaps);
  });
  if (r.gaps.length > 0 || r.interrupted) process.stderr.write(pollSummary("gosleuth leaks", r));
  if (snaps.length === 0) throw nothingCollected(r);
  return snaps;
}

export async function leaksCommand(inputs: string[], o: LeaksOptions, f: FetchOptions): Promise<number> {
  const settings = loadSettings(o.config);
  const sarif = o.format === "sarif" ? sarifOptions(o) : {};
  let report: LeakReport;
  if (o.every !== undefined) {
    if (inputs.length !== 1 || !isUrl(inputs[0]!))
      throw new CliError("--every needs exactly one http(s) URL to poll");
    if (o.count < 2)
      throw new CliError("--count must be at least 2 with --every (growth needs two snapshots)");
    const snaps = await pollSnapshots(inputs[0]!, o.every, o.count, f, (s) => {
      if (s.length < 2 || o.format !== "text") return;
      const r = analyzeSeries(s, settings);
      const growing = r.findings.filter((x) => x.growth?.verdict === "growing").slice(0, 3);
      for (const g of growing) {
        process.stderr.write(
          `  ${color.yellow("growing")} ${g.growth!.counts.map(n).join(" → ")} ${plain(g.startFunction)} [${plain(g.state)}]\n`,
        );
      }
    });
    report = analyzeSeries(snaps, settings);
    report.input.times = { source: "fetched", assumed: false };
  } else if (inputs.length === 1) {
    // One dump: stream it through the analyzer (no goroutine is kept).
    const { consumer, info, name } = await consumeInput("leaks", inputs[0]!, {
      threads: o.threads,
      fetch: f,
      options: settings ? { leakSettings: settings } : {},
    });
    const { analyzer, profile } = consumer;
    report = analyzer.finish(runtimeVerdict(info.preamble), { complete: info.truncated === undefined });
    report.input.format = info.format;
    if (report.input.goroutines === 0 && profile.length > 0) {
      report = analyzeProfiles([{ groups: profile, label: name }], settings, info.format);
      delete report.input.names;
    }
  } else {
    const snaps: LoadedSnapshot[] = [];
    const times: (number | null)[] = [];
    for (const input of inputs) {
      const d = await loadDump(input, f);
      snaps.push({
        goroutines: d.goroutines as Goroutine[],
        groups: d.groups,
        format: d.format,
        label: input,
        verdict: runtimeVerdict(d.preamble),
        complete: d.truncated === undefined,
      });
      times.push(isUrl(input) ? Date.now() : input === "-" ? null : statSync(input).mtimeMs);
    }
    const times_ = snapshotTimes(inputs, times, o.interval);
    if (times_.reversed)
      process.stderr.write(
        "gosleuth: warning: the files' times run newest first; the snapshots are taken in the order given (oldest first)\n",
      );
    snaps.forEach((s, i) => {
      s.takenAt = new Date(times_.at[i]!);
    });
    report = analyzeSeries(snaps, settings);
    report.input.times = times_.times;
  }
  await printReport(report, o.format, sarif);
  if (!o.failOn) return 0;
  // One stderr line, so a gate whose report goes to a file still says in the CI log why it failed.
  const over = countAtOrAbove(report, o.failOn);
  if (over === 0) return 0;
  process.stderr.write(`gosleuth: ${over} incident${over === 1 ? "" : "s"} at or above ${o.failOn}\n`);
  return 1;
}

/**
 * Snapshots of one process, oldest first: goroutines scored with their waits and parents, or, when
 * every snapshot is a debug=1/debug=0 profile, groups scored from stacks, counts and growth.
 */
function analyzeSeries(snaps: LoadedSnapshot[], settings: PartialLeakSettings | undefined): LeakReport {
  const profiles = snaps.filter((s) => s.goroutines.length === 0 && s.groups.length > 0);
  if (profiles.length === 0) return analyzeSnapshots(snaps, settings);
  if (profiles.length < snaps.length) {
    const mixed = snaps.find((s) => s.goroutines.length > 0)!;
    throw new CliError(
      `${profiles[0]!.label}: a ${profiles[0]!.format} profile cannot be compared with ${mixed.label} (${mixed.format}): give snapshots of one format`,
    );
  }
  const series: ProfileSnapshot[] = snaps.map(({ groups, takenAt, label }) => {
    const p: ProfileSnapshot = { groups };
    if (takenAt) p.takenAt = takenAt;
    if (label !== undefined) p.label = label;
    return p;
  });
  return analyzeProfiles(series, settings, profiles[profiles.length - 1]!.format);
}
