// /metrics: the targets' state in the Prometheus text format, through prom-client.
import { createHash } from "node:crypto";
import { SEVERITIES } from "@gosleuth/leaks";
import { cut, escapeControl } from "@gosleuth/text";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Agent, TargetState } from "./agent.ts";

/** Longest `function` label value: a group's start function can be any length in a hostile dump. */
const MAX_FUNCTION_LABEL = 200;

/** Short stable id of a group (its signature + creator site key), for the `group` label. */
export function groupId(key: string): string {
  return createHash("sha1").update(key).digest("hex").slice(0, 12);
}

export interface TopGroup {
  group: string;
  function: string;
  state: string;
  count: number;
}

/** The K largest groups of a target's latest snapshot. */
export function topGroups(s: TargetState, k: number): TopGroup[] {
  if (s.report) {
    return s.report.findings
      .filter((f) => f.count > 0)
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, k)
      .map((f) => ({ group: groupId(f.key), function: f.startFunction, state: f.state, count: f.count }));
  }
  return (s.groups ?? [])
    .slice()
    .sort((a, b) => b.count - a.count)
    .slice(0, k)
    .map((g) => ({ group: groupId(g.stack), function: g.startFunction, state: "", count: g.count }));
}

/**
 * The agent's own series (process, schedule) live in one registry for the agent's lifetime; the targets'
 * series are built afresh for each scrape of /metrics, because their label names are the union of the
 * targets' labels, which changes when the targets file does.
 */
export class AgentMetrics {
  readonly self = new Registry();
  private readonly lag: Histogram;
  private seenLags = 0;

  constructor(
    private readonly agent: Agent,
    private readonly top: number,
  ) {
    collectDefaultMetrics({ register: this.self });
    this.lag = new Histogram({
      name: "gosleuth_agent_scrape_start_lag_seconds",
      help: "How late each scrape started behind its scheduled slot",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.self],
    });
    new Gauge({
      name: "gosleuth_agent_missed_slots",
      help: "Scheduled scrapes skipped because the target's previous scrape had not finished",
      registers: [this.self],
      collect() {
        this.set(agent.stats.missed);
      },
    });
    new Gauge({
      name: "gosleuth_agent_targets",
      help: "Targets this agent scrapes (after --shard)",
      registers: [this.self],
      collect() {
        this.set(agent.active().length);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    const st = this.agent.stats;
    // Lags recorded since the last render go into the histogram (the list holds the last 1,000).
    const fresh = Math.min(st.lags.length, st.scrapes - this.seenLags);
    for (const l of st.lags.slice(st.lags.length - fresh)) this.lag.observe(l / 1000);
    this.seenLags = st.scrapes;
    const reg = this.targetsRegistry();
    const body = `${await this.self.metrics()}\n${await reg.metrics()}`;
    return { contentType: this.self.contentType, body };
  }

  private targetsRegistry(): Registry {
    const states = [...this.agent.states.values()];
    const names = new Set<string>();
    for (const s of states) for (const k of Object.keys(s.target.labels)) names.add(k);
    const base = [...names].sort();
    const reg = new Registry();
    const g = (name: string, help: string, extra: string[] = []) =>
      new Gauge({ name, help, labelNames: [...base, ...extra], registers: [reg] });
    const up = g(
      "gosleuth_target_up",
      "1 when the last scrape of the target gave a dump; 0 with the reason otherwise",
      ["reason"],
    );
    const goroutines = g("gosleuth_goroutines", "Goroutines in the target's latest snapshot");
    const duration = g("gosleuth_scrape_duration_seconds", "Time the last scrape took (fetch and parse)");
    const bytes = g("gosleuth_scrape_bytes", "Size of the last dump read");
    const suspects = g(
      "gosleuth_leak_suspects",
      "Leak incidents (groups of one cause) at each severity in the latest analysis of the target's window (debug=2 targets)",
      ["severity"],
    );
    const groups = g(
      "gosleuth_group_goroutines",
      "Goroutines in each of the target's largest groups (top K by count, K set by --top)",
      ["group", "function", "state"],
    );
    const scrapes = new Counter({
      name: "gosleuth_target_scrapes_total",
      help: "Scrapes of the target that gave a dump",
      labelNames: base,
      registers: [reg],
    });
    const failures = new Counter({
      name: "gosleuth_target_scrape_failures_total",
      help: "Scrapes of the target that failed",
      labelNames: base,
      registers: [reg],
    });
    for (const s of states) {
      const l: Record<string, string> = {};
      for (const k of base) l[k] = s.target.labels[k] ?? "";
      if (s.up !== undefined) up.set({ ...l, reason: s.up ? "" : (s.reason ?? "") }, s.up ? 1 : 0);
      if (s.removedAt !== undefined) continue;
      scrapes.inc(l, s.scrapes);
      failures.inc(l, s.failuresTotal);
      if (s.durationS !== undefined) duration.set(l, s.durationS);
      if (!s.up) continue;
      if (s.goroutines !== undefined) goroutines.set(l, s.goroutines);
      if (s.bytes !== undefined) bytes.set(l, s.bytes);
      if (s.report) {
        // One cause counts once: a stuck call with its transport goroutines is one suspect, not four.
        const bySeverity = new Map<string, number>();
        for (const inc of s.report.incidents ?? []) {
          if (inc.count > 0) bySeverity.set(inc.severity, (bySeverity.get(inc.severity) ?? 0) + 1);
        }
        for (const sev of SEVERITIES) suspects.set({ ...l, severity: sev }, bySeverity.get(sev) ?? 0);
      }
      for (const t of topGroups(s, this.top)) {
        const fn = escapeControl(cut(t.function, MAX_FUNCTION_LABEL));
        groups.set({ ...l, group: t.group, function: fn, state: escapeControl(t.state) }, t.count);
      }
    }
    return reg;
  }
}
