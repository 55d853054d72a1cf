// One dump's leak analysis: goroutines streamed in, grouped, and every group scored.
import type { Dump, Goroutine, Preamble } from "@gosleuth/model";
import { type LeakReport, sortFindings, summarize } from "./finding.ts";
import { Grouper, type GrouperPartial } from "./grouper.ts";
import { buildIncidents } from "./incident.ts";
import { scoreGroup } from "./score.ts";
import { type LeakSettings, type PartialLeakSettings, resolveSettings } from "./settings.ts";

/**
 * Streaming analysis: feed goroutines as they are parsed (`add`), get the report at the end. Keeps one
 * accumulator per group and one number per goroutine, never the goroutines themselves.
 */
export class LeakAnalyzer {
  private readonly settings: LeakSettings;
  private readonly grouper: Grouper;

  constructor(
    settings?: PartialLeakSettings | LeakSettings,
    private readonly format = "unknown",
  ) {
    this.settings = resolveSettings(settings as PartialLeakSettings | undefined);
    this.grouper = new Grouper(this.settings.samples, false, {
      objects: this.settings.incidents.maxObjectsPerGroup,
      lockWaits: this.settings.incidents.maxLockWaits,
      chanWaits: this.settings.incidents.maxChannelWaits,
    });
  }

  add(g: Goroutine): void {
    this.grouper.add(g);
  }

  /** The analysis so far as plain data, for an analyzer on another thread to merge. */
  partial(): GrouperPartial {
    return this.grouper.partial();
  }

  /** Adds a later part of the same dump (see Grouper.partial). */
  merge(p: GrouperPartial): void {
    this.grouper.merge(p);
  }

  /** Makes room for this many goroutines in all. */
  reserve(n: number): void {
    this.grouper.reserve(n);
  }

  /**
   * The report; `verdict` is the dump's `fatal error:`/`panic:` messages (the runtime's own word on a deadlock);
   * `complete: false` says the dump looks cut short (DumpInfo.truncated), so a WaitGroup's Done may be in a goroutine not printed.
   */
  finish(verdict?: readonly string[], o: { complete?: boolean } = {}): LeakReport {
    const findings = sortFindings(
      [...this.grouper.groups.values()].map((a) => scoreGroup(this.grouper, a, this.settings)),
    );
    const incidents = buildIncidents({
      findings,
      grouper: this.grouper,
      verdict,
      settings: this.settings,
      complete: o.complete ?? true,
    });
    return {
      version: 2,
      input: { format: this.format, goroutines: this.grouper.total, snapshots: 1 },
      incidents,
      findings,
      summary: summarize(findings),
      thresholds: { ...this.settings.severity },
    };
  }
}

/** Scores every group of one dump. */
export function analyzeLeaks(
  input: Pick<Dump, "goroutines"> & Partial<Pick<Dump, "format" | "preamble" | "truncated">>,
  settings?: PartialLeakSettings | LeakSettings,
): LeakReport {
  const a = new LeakAnalyzer(settings, input.format ?? "unknown");
  for (const g of input.goroutines) a.add(g);
  return a.finish(runtimeVerdict(input.preamble), { complete: input.truncated === undefined });
}

/** The runtime's messages in a dump's preamble (`fatal error: …`, `panic: …`). */
export function runtimeVerdict(p: Partial<Pick<Preamble, "fatal" | "panics">> | undefined): string[] {
  if (!p) return [];
  return [...(p.fatal ?? []), ...(p.panics ?? []).map((x) => x.message)];
}
