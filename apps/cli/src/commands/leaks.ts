// `gosleuth leaks`: leak suspects with reasons, from one dump, several snapshots, or a live endpoint polled at an interval.
import { existsSync, readFileSync, statSync } from "node:fs";
import {
  analyzeSnapshots,
  failOn,
  type LeakReport,
  type PartialLeakSettings,
  renderMarkdown,
  renderText,
  resolveSettings,
  runtimeVerdict,
  SettingsError,
  type Snapshot,
  toJson,
  toSarif,
} from "@gosleuth/leaks";
import type { Goroutine } from "@gosleuth/model";
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

/** Polls a URL `count` times, `every` ms apart, returning timestamped snapshots; reports progress on stderr. */
export async function pollSnapshots(
  url: string,
  every: number,
  count: number,
  f: FetchOptions,
  onSnapshot?: (s: Snapshot[]) => void,
): Promise<Snapshot[]> {
  const snaps: Snapshot[] = [];
  for (let i = 0; i < count; i++) {
    const started = Date.now();
    const d = await loadDump(url, f);
    snaps.push({ goroutines: d.goroutines, takenAt: new Date(started), label: `${url}#${i + 1}` });
    process.stderr.write(`gosleuth: snapshot ${i + 1}/${count}: ${n(d.goroutines.length)} goroutines\n`);
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
      const r = analyzeSnapshots(s, settings);
      const growing = r.findings.filter((x) => x.growth?.verdict === "growing").slice(0, 3);
      for (const g of growing) {
        process.stderr.write(
          `  ${color.yellow("growing")} ${g.growth!.counts.map(n).join(" → ")} ${g.startFunction} [${g.state}]\n`,
        );
      }
    });
    report = analyzeSnapshots(snaps, settings);
  } else if (inputs.length === 1) {
    // One dump: stream it through the analyzer (no goroutine is kept).
    const { consumer, info, name } = await consumeInput("leaks", inputs[0]!, {
      threads: o.threads,
      fetch: f,
      options: settings ? { leakSettings: settings } : {},
    });
    const { analyzer, groups } = consumer;
    report = analyzer.finish(runtimeVerdict(info.preamble));
    report.input.format = info.format;
    if (report.input.goroutines === 0 && groups > 0) {
      throw new CliError(
        `${name}: a ${info.format} profile has no goroutine states or creators; leaks needs debug=2 text (…/goroutine?debug=2)`,
      );
    }
  } else {
    const snaps: Snapshot[] = [];
    const times: number[] = [];
    for (const input of inputs) {
      const d = await loadDump(input, f);
      snaps.push({
        goroutines: d.goroutines as Goroutine[],
        label: input,
        verdict: runtimeVerdict(d.preamble),
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
    report = analyzeSnapshots(snaps, settings);
  }
  printReport(report, o.format);
  return o.failOn && failOn(report, o.failOn) ? 1 : 0;
}
