// The agent's state and schedule: which targets exist, when each is scraped next, and what each last showed.
import { createHash } from "node:crypto";
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { type LeakReport, type PartialLeakSettings, SnapshotWindow } from "@gosleuth/leaks";
import { Evidence, type KeepOptions, type Spool } from "./keep.ts";
import { type FailReason, type ProfileGroup, ScrapeError, scrapeTarget } from "./scrape.ts";
import {
  dedupe,
  inShard,
  parseFileSd,
  parseTargetUrl,
  type Shard,
  type Target,
  type TargetDefaults,
  TargetsError,
} from "./targets.ts";

export interface AgentOptions {
  /** A Prometheus file_sd JSON file, re-read when it changes. */
  targetsFile?: string;
  /** --target URLs. */
  targetUrls: string[];
  defaults: TargetDefaults;
  /** Scrape interval (ms). */
  every: number;
  timeoutMs: number;
  maxBytes: number;
  /** Scrapes in flight at most. */
  concurrency: number;
  /** Snapshots per target in the growth window. */
  window: number;
  /** Longest wait after failures (ms): the backoff doubles from `every` up to this. */
  maxBackoffMs: number;
  shard?: Shard;
  keep?: KeepOptions;
  settings?: PartialLeakSettings;
  /** How often the targets file's stat is polled for changes (ms). */
  reloadMs: number;
  log: (line: string) => void;
}

/** What the agent knows of one target. */
export interface TargetState {
  target: Target;
  window: SnapshotWindow;
  /** undefined until the first scrape ends. */
  up?: boolean;
  reason?: FailReason;
  error?: string;
  scrapedAt?: Date;
  durationS?: number;
  bytes?: number;
  goroutines?: number;
  format?: string;
  report?: LeakReport;
  /** debug=1/debug=0 profiles: their groups. */
  groups?: ProfileGroup[];
  scrapes: number;
  failuresTotal: number;
  /** Failures in a row (the backoff's exponent). */
  failures: number;
  /** Next scheduled start (ms since the epoch). */
  nextAt: number;
  /** The wait chosen after each of the last scrapes (ms, oldest first): the backoff as it was applied. */
  waits: number[];
  running: boolean;
  /** When it left the targets (its up series says `removed` for a while, then it is dropped). */
  removedAt?: number;
  /** Keys of its high findings in the last analysis (a key new to this set first raised a high finding). */
  highKeys: Set<string>;
  evidence?: string;
}

/** Schedule health, for the agent's own metrics and the load benchmark. */
export interface ScheduleStats {
  scrapes: number;
  /** Slots skipped because the previous scrape of that target was still running or waiting. */
  missed: number;
  /** Delay of each start behind its slot (ms), the last 1,000 starts. */
  lags: number[];
}

/** Waits kept per target (the findings API shows them). */
const MAX_WAITS = 16;

/** A stable offset in [0, every) per target, as Prometheus spreads its scrapes: targets never start together. */
function offsetOf(url: string, every: number): number {
  const h = createHash("sha1").update(url).digest().readUInt32BE(0);
  return (h / 2 ** 32) * every;
}

export class Agent {
  readonly states = new Map<string, TargetState>();
  readonly stats: ScheduleStats = { scrapes: 0, missed: 0, lags: [] };
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private readonly evidence: Evidence | undefined;
  private fileText: string | undefined;
  private stopped = false;

  constructor(readonly o: AgentOptions) {
    this.evidence = o.keep ? new Evidence(o.keep) : undefined;
  }

  /** Loads the targets (throws TargetsError on a bad file or URL) and starts scraping. */
  start(): void {
    this.load(true);
    if (this.o.targetsFile)
      watchFile(this.o.targetsFile, { interval: this.o.reloadMs, persistent: false }, () => this.reload());
    const tick = Math.max(20, Math.min(250, this.o.every / 20));
    this.timer = setInterval(() => this.tick(), tick);
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.o.targetsFile) unwatchFile(this.o.targetsFile);
    const deadline = Date.now() + this.o.timeoutMs + 1000;
    while (this.running > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    this.evidence?.close();
  }

  /** Re-reads the targets file; on an error the current targets stay and the error is logged. */
  reload(): void {
    try {
      this.load(false);
    } catch (e) {
      this.o.log(`${(e as Error).message}; keeping the ${this.active().length} targets already loaded`);
    }
  }

  /** Targets currently scraped (not removed). */
  active(): TargetState[] {
    return [...this.states.values()].filter((s) => s.removedAt === undefined);
  }

  private load(first: boolean): void {
    const list: Target[] = [];
    if (this.o.targetsFile) {
      let text: string;
      try {
        text = readFileSync(this.o.targetsFile, "utf8");
      } catch (e) {
        const code = (e as { code?: string }).code;
        throw new TargetsError(
          `${this.o.targetsFile}: ${code === "ENOENT" ? "no such targets file" : (e as Error).message}`,
        );
      }
      if (!first && text === this.fileText) return;
      list.push(...parseFileSd(text, this.o.targetsFile, this.o.defaults));
      this.fileText = text;
    }
    for (const u of this.o.targetUrls) list.push(parseTargetUrl(u, this.o.defaults));
    const { targets, duplicates } = dedupe(list);
    for (const d of duplicates) this.o.log(`${d}: listed more than once; the first group's labels are used`);
    const mine = targets.filter((t) => inShard(t, this.o.shard));
    const now = Date.now();
    const keep = new Set(mine.map((t) => t.url));
    let added = 0;
    let removed = 0;
    for (const t of mine) {
      const s = this.states.get(t.url);
      if (s && s.removedAt === undefined) {
        s.target = t; // labels may have changed
        continue;
      }
      added++;
      this.states.set(t.url, {
        target: t,
        window: new SnapshotWindow(this.o.window, this.o.settings),
        scrapes: 0,
        failuresTotal: 0,
        failures: 0,
        nextAt: now + offsetOf(t.url, this.o.every),
        waits: [],
        running: false,
        highKeys: new Set(),
      });
    }
    for (const s of this.states.values()) {
      if (keep.has(s.target.url) || s.removedAt !== undefined) continue;
      removed++;
      s.removedAt = now;
      s.up = false;
      s.reason = "removed";
      s.error = `${s.target.url}: no longer in the targets`;
      s.report = undefined;
      s.groups = undefined;
      this.o.log(
        `${s.target.labels.instance} (${s.target.url}): removed from the targets; no longer scraped`,
      );
    }
    const shard = this.o.shard
      ? ` (shard ${this.o.shard.index}/${this.o.shard.count} of ${targets.length})`
      : "";
    if (first || added || removed)
      this.o.log(
        `targets: ${mine.length} scraped${shard}${first ? "" : `, ${added} added, ${removed} removed`}`,
      );
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    const due: TargetState[] = [];
    for (const [url, s] of this.states) {
      if (s.removedAt !== undefined) {
        // The removed target's `up 0 {reason="removed"}` stays for ten intervals, then its series go.
        if (now - s.removedAt > 10 * this.o.every && !s.running) this.states.delete(url);
        continue;
      }
      if (!s.running && s.nextAt <= now) due.push(s);
    }
    due.sort((a, b) => a.nextAt - b.nextAt);
    for (const s of due) {
      if (this.running >= this.o.concurrency) break;
      void this.scrape(s);
    }
  }

  private async scrape(s: TargetState): Promise<void> {
    const slot = s.nextAt;
    const started = Date.now();
    s.running = true;
    this.running++;
    const st = this.stats;
    st.scrapes++;
    st.lags.push(started - slot);
    if (st.lags.length > 1000) st.lags.splice(0, st.lags.length - 1000);
    const t = s.target;
    const takenAt = new Date(started);
    const scan = s.window.begin(takenAt);
    const spool: Spool | undefined = this.evidence?.spool();
    const t0 = performance.now();
    let failed: ScrapeError | undefined;
    let saved = false;
    try {
      const r = await scrapeTarget(
        t.url,
        {
          timeoutMs: this.o.timeoutMs,
          maxBytes: this.o.maxBytes,
          ...(t.hostHeader && { hostHeader: t.hostHeader }),
          ...(spool && { onChunk: (c: Uint8Array) => spool.write(c) }),
        },
        scan,
      );
      if (s.removedAt !== undefined || this.stopped) return;
      s.durationS = (performance.now() - t0) / 1000;
      s.bytes = r.bytes;
      s.format = r.format;
      s.scrapedAt = takenAt;
      s.goroutines = r.goroutines;
      s.scrapes++;
      if (r.groups) {
        s.groups = r.groups;
        s.report = undefined;
      } else {
        s.groups = undefined;
        s.report = scan.finish();
      }
      if (s.up !== true)
        this.o.log(
          `${t.labels.instance} (${t.url}): up${s.failures ? ` again after ${s.failures} failed scrapes` : ""}: ${r.goroutines} goroutines`,
        );
      s.up = true;
      s.reason = undefined;
      s.error = undefined;
      s.failures = 0;
      saved = await this.noteHigh(s, spool, takenAt);
    } catch (e) {
      failed =
        e instanceof ScrapeError ? e : new ScrapeError("connection", `${t.url}: ${(e as Error).message}`);
    } finally {
      if (spool && !saved) this.evidence?.discard(spool);
      s.running = false;
      this.running--;
    }
    if (s.removedAt !== undefined || this.stopped) return;
    if (failed) {
      s.durationS = (performance.now() - t0) / 1000;
      s.failures++;
      s.failuresTotal++;
      if (s.up !== false || s.reason !== failed.reason)
        this.o.log(`${t.labels.instance} (${t.url}): down: ${failed.reason}: ${failed.message}`);
      s.up = false;
      s.reason = failed.reason;
      s.error = failed.message;
    }
    // Next slot: one interval on, or the backoff after failures; slots already past are skipped.
    const wait = failed
      ? Math.min(this.o.every * 2 ** (s.failures - 1), Math.max(this.o.every, this.o.maxBackoffMs))
      : this.o.every;
    s.waits.push(wait);
    if (s.waits.length > MAX_WAITS) s.waits.splice(0, s.waits.length - MAX_WAITS);
    s.nextAt = slot + wait;
    const now = Date.now();
    if (s.nextAt <= now) {
      const behind = Math.floor((now - s.nextAt) / this.o.every) + 1;
      st.missed += behind;
      s.nextAt += behind * this.o.every;
    }
    this.tick();
  }

  /** Logs each high finding the first time it appears, and keeps the snapshot that first raised one. */
  private async noteHigh(s: TargetState, spool: Spool | undefined, takenAt: Date): Promise<boolean> {
    const high = (s.report?.findings ?? []).filter((f) => f.severity === "high" && f.count > 0);
    const fresh = high.filter((f) => !s.highKeys.has(f.key));
    s.highKeys = new Set(high.map((f) => f.key));
    if (fresh.length === 0) return false;
    const t = s.target;
    for (const f of fresh.slice(0, 3))
      this.o.log(`${t.labels.instance} (${t.url}): high: ${f.count} × ${f.startFunction} [${f.state}]`);
    if (spool && this.evidence && s.report) {
      try {
        s.evidence = await this.evidence.save(spool, t, s.report, takenAt);
        this.o.log(`${t.labels.instance} (${t.url}): snapshot kept as ${s.evidence}`);
        return true;
      } catch (e) {
        this.o.log(`--keep: could not save the snapshot of ${t.url}: ${(e as Error).message}`);
      }
    }
    return false;
  }
}
