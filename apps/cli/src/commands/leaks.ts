// `gosleuth leaks`: leak suspects with reasons, from one dump, several snapshots, or a live endpoint polled at an interval.
import { existsSync, readFileSync, statSync } from "node:fs";
import {
  analyzeProfiles,
  analyzeSnapshots,
  failOn,
  type LeakReport,
  type PartialLeakSettings,
  type ProfileSnapshot,
  renderMarkdown,
  renderText,
  resolveSettings,
  SettingsError,
  type Snapshot,
  toJson,
  toSarif,
} from "@gosleuth/leaks";
import type { Goroutine, GoroutineGroup } from "@gosleuth/model";
import { CliError } from "../errors.ts";
import { color, colorEnabled, n } from "../format.ts";
import { type FetchOptions, isUrl, loadDump } from "../input.ts";
import { consumeInput } from "../parallel.ts";

export interface LeaksOptions {
  format: "text" | "md" | "json" | "sarif";
  failOn?: "high" | "medium" | "low";
  config?: string;
  every?: number;
  count: number;
  threads?: string;
}

/** Settings from --config, or ./gosleuth.config.json when present; precise errors otherwise. */
export function loadSettings(path?: string): PartialLeakSettings | undefined {
  const file = path ?? (existsSync("gosleuth.config.json") ? "gosleuth.config.json" : undefined);
  if (!file) return undefined;
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
  const leaks = (raw as { leaks?: unknown }).leaks ?? raw;
  try {
    resolveSettings(leaks as PartialLeakSettings);
  } catch (e) {
    if (e instanceof SettingsError) throw new CliError(`${file}: ${e.problems.join("; ")}`);
    throw e;
  }
  return leaks as PartialLeakSettings;
}

export function printReport(report: LeakReport, format: LeaksOptions["format"]): void {
  if (format === "json") process.stdout.write(`${JSON.stringify(toJson(report), null, 2)}\n`);
  else if (format === "sarif") process.stdout.write(`${JSON.stringify(toSarif(report), null, 2)}\n`);
  else if (format === "md") process.stdout.write(renderMarkdown(report));
  else process.stdout.write(renderText(report, { color: colorEnabled }));
}

/** A snapshot as loaded: goroutines (debug=2 and the like) or profile groups (debug=1/debug=0). */
type LoadedSnapshot = Snapshot & { groups: readonly GoroutineGroup[]; format: string };

/** Polls a URL `count` times, `every` ms apart, returning timestamped snapshots; reports progress on stderr. */
export async function pollSnapshots(
  url: string,
  every: number,
  count: number,
  f: FetchOptions,
  onSnapshot?: (s: LoadedSnapshot[]) => void,
): Promise<LoadedSnapshot[]> {
  const snaps: LoadedSnapshot[] = [];
  for (let i = 0; i < count; i++) {
    const started = Date.now();
    const d = await loadDump(url, f);
    snaps.push({
      goroutines: d.goroutines,
      groups: d.groups,
      format: d.format,
      takenAt: new Date(started),
      label: `${url}#${i + 1}`,
    });
    const total = d.goroutines.length + d.groups.reduce((sum, g) => sum + g.count, 0);
    process.stderr.write(`gosleuth: snapshot ${i + 1}/${count}: ${n(total)} goroutines\n`);
    onSnapshot?.(snaps);
    if (i + 1 < count) await new Promise((ok) => setTimeout(ok, Math.max(0, every - (Date.now() - started))));
  }
  return snaps;
}

export async function leaksCommand(inputs: string[], o: LeaksOptions, f: FetchOptions): Promise<number> {
  const settings = loadSettings(o.config);
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
          `  ${color.yellow("growing")} ${g.growth!.counts.map(n).join(" → ")} ${g.startFunction} [${g.state}]\n`,
        );
      }
    });
    report = analyzeSeries(snaps, settings);
  } else if (inputs.length === 1) {
    // One dump: stream it through the analyzer (no goroutine is kept).
    const { consumer, info, name } = await consumeInput("leaks", inputs[0]!, {
      threads: o.threads,
      fetch: f,
      options: settings ? { leakSettings: settings } : {},
    });
    const { analyzer, profile } = consumer;
    report = analyzer.finish();
    report.input.format = info.format;
    if (report.input.goroutines === 0 && profile.length > 0) {
      report = analyzeProfiles([{ groups: profile, label: name }], settings, info.format);
      delete report.input.names;
    }
  } else {
    const snaps: LoadedSnapshot[] = [];
    const times: number[] = [];
    for (const input of inputs) {
      const d = await loadDump(input, f);
      snaps.push({
        goroutines: d.goroutines as Goroutine[],
        groups: d.groups,
        format: d.format,
        label: input,
      });
      times.push(isUrl(input) ? Date.now() : statSync(input).mtimeMs);
    }
    // File times are used only when each is at least a second after the previous one (files copied or
    // checked out together share nearly one time): else the snapshots are taken to be one minute apart.
    if (times.every((t, i) => i === 0 || t - times[i - 1]! >= 1000))
      snaps.forEach((s, i) => {
        s.takenAt = new Date(times[i]!);
      });
    else
      process.stderr.write(
        "gosleuth: snapshot times unknown (file times are not a second apart): assuming one minute apart\n",
      );
    report = analyzeSeries(snaps, settings);
  }
  printReport(report, o.format);
  return o.failOn && failOn(report, o.failOn) ? 1 : 0;
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
