// `gosleuth watch`: a live terminal view of the top goroutine groups and their growth, ending with a leak report.
// Built for incidents: a failed fetch (the service restarting, out of memory) is a gap, not the end; Ctrl-C
// always ends with the report of what was collected, and a second Ctrl-C ends at once.
import { analyzeSnapshots, type Finding, type LeakReport, renderText, type Snapshot } from "@gosleuth/leaks";
import { escapeControl } from "@gosleuth/text";
import { CliError } from "../errors.ts";
import { color, colorEnabled, n } from "../format.ts";
import { type FetchOptions, isUrl, loadDump } from "../input.ts";
import { loadSettings } from "./leaks.ts";
// In poll.ts, which \`fetch --every\` uses too: fetch then loads no leak analysis.
import { backoff, sleep } from "./poll.ts";

/** Snapshots kept for the view and the report: their goroutines stay in memory. */
export const WINDOW = 30;

export interface WatchOptions {
  every: number;
  count: number;
  config?: string;
}

export interface Gap {
  at: Date;
  error: string;
}

export interface FrameState {
  url: string;
  /** Attempts made so far (successful or not) and the --count limit (0: none). */
  attempt: number;
  count: number;
  report: LeakReport | undefined;
  /** When each snapshot in the window was taken, oldest first. */
  times: Date[];
  /** Snapshots taken since the start (the window keeps the last WINDOW). */
  taken: number;
  gaps: Gap[];
  /** Consecutive failures up to now (0 when the last attempt succeeded). */
  failing: number;
  /** Milliseconds until the next attempt, when it was put off after failures. */
  retryInMs?: number;
  /** Group keys in the order of the previous frame, so rows stay put while their order holds. */
  order?: readonly string[];
}

export interface Screen {
  width: number;
  height: number;
  color: boolean;
}

function clock(d: Date): string {
  return d.toLocaleTimeString("en-GB", { hour12: false });
}

function span(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Cuts from the left (`…pkg.(*T).method [chan receive]`): a function's last part names it. */
export function cutLeft(s: string, max: number): string {
  if (max <= 0) return "";
  if (s.length <= max) return s;
  return max === 1 ? "…" : `…${s.slice(s.length - max + 1)}`;
}

function cutMiddle(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.ceil((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

function cutRight(s: string, max: number): string {
  return s.length <= max ? s : max <= 1 ? "…".slice(0, max) : `${s.slice(0, max - 1)}…`;
}

interface Row {
  key: string;
  count: number;
  change: number | undefined;
  rate: number | undefined;
  severity: string;
  fn: string;
  state: string;
  info: boolean;
}

function rowOf(f: Finding): Row {
  const c = f.growth?.counts ?? [f.count];
  return {
    key: f.key,
    count: f.count,
    change: c.length > 1 ? c[c.length - 1]! - c[c.length - 2]! : undefined,
    rate: c.length > 1 ? f.growth?.ratePerMinute : undefined,
    severity: f.severity,
    // Dump text: control characters shown escaped so it cannot drive the terminal.
    fn: escapeControl(f.startFunction),
    state: escapeControl(f.state),
    info: f.severity === "info",
  };
}

/**
 * Rows in a stable order: suspects before info groups (short-lived info groups come and go at the bottom),
 * then by growth over the window, then by size; ties keep the previous frame's order.
 */
export function orderRows(findings: readonly Finding[], previous: readonly string[] = []): Row[] {
  const before = new Map(previous.map((k, i) => [k, i]));
  const growthOf = (f: Finding) => {
    const c = f.growth?.counts ?? [];
    return c.length > 1 ? c[c.length - 1]! - c[0]! : 0;
  };
  return findings
    .filter((f) => f.count > 0)
    .map((f) => ({ f, row: rowOf(f), growth: growthOf(f) }))
    .sort(
      (a, b) =>
        Number(a.row.info) - Number(b.row.info) ||
        b.growth - a.growth ||
        b.row.count - a.row.count ||
        (before.get(a.row.key) ?? Number.MAX_SAFE_INTEGER) -
          (before.get(b.row.key) ?? Number.MAX_SAFE_INTEGER) ||
        (a.row.key < b.row.key ? -1 : a.row.key > b.row.key ? 1 : 0),
    )
    .map((x) => x.row);
}

/** `function [state]` in `max` columns: the function keeps at least 16 (cut from the left), the state the rest. */
function label(r: Row, max: number): string {
  const state = ` [${r.state}]`;
  const fnRoom = Math.min(r.fn.length, Math.max(16, max - state.length));
  const fn = cutLeft(r.fn, Math.min(fnRoom, max));
  const rest = max - fn.length;
  if (rest >= state.length) return fn + state;
  return rest >= 5 ? `${fn} [${cutRight(r.state, rest - 3)}]` : fn;
}

function signed(x: number): string {
  return x > 0 ? `+${n(x)}` : x < 0 ? `−${n(-x)}` : "0";
}

function rateText(r: number): string {
  const abs = Math.abs(r);
  const v = abs >= 100 ? n(Math.round(abs)) : abs >= 10 ? abs.toFixed(0) : abs.toFixed(1);
  return r > 0 ? `+${v}` : r < 0 ? `−${v}` : "0";
}

/**
 * One screen of `watch`: title, status (gaps, back-off), what the columns measure, then the groups, every line
 * at most `width` wide and the whole at most `height` lines. Returns the lines and the row order shown.
 */
export function renderFrame(s: FrameState, screen: Screen): { lines: string[]; order: string[] } {
  const c = screen.color
    ? color
    : { bold: (x: string) => x, yellow: (x: string) => x, red: (x: string) => x, dim: (x: string) => x };
  const w = Math.max(20, screen.width);
  const lines: string[] = [];
  const fit = (plain: string, styled?: (x: string) => string) => {
    const cut = cutRight(plain, w);
    lines.push(styled && cut === plain ? styled(cut) : cut);
  };
  const last = s.times[s.times.length - 1];
  const goroutines = s.report?.input.goroutines;
  const parts = [
    `snapshot ${s.attempt}${s.count ? `/${s.count}` : ""}`,
    goroutines !== undefined ? `${n(goroutines)} goroutines` : "no snapshot yet",
    last ? clock(last) : "",
  ].filter(Boolean);
  const url = cutMiddle(escapeControl(s.url), Math.max(12, w - 16 - parts.join(" · ").length - 3));
  fit(`gosleuth watch ${url} · ${parts.join(" · ")}`, (x) =>
    x.replace("gosleuth watch", c.bold("gosleuth watch")));

  if (s.failing > 0) {
    const g = s.gaps[s.gaps.length - 1]!;
    const retry = s.retryInMs !== undefined ? ` · retrying in ${span(s.retryInMs)} (backing off)` : "";
    fit(
      `fetch failed ${s.failing === 1 ? "once" : `${s.failing} times in a row`} (last ${clock(g.at)}): ${g.error}${retry}`,
      c.red,
    );
  } else if (s.gaps.length > 0) {
    fit(
      `${n(s.gaps.length)} failed fetch${s.gaps.length === 1 ? "" : "es"} so far (gaps in the series); the last one worked`,
      c.yellow,
    );
  } else fit("every fetch so far worked");

  const prev = s.times[s.times.length - 2];
  const first = s.times[0];
  fit(
    prev && last && first
      ? `change: since the previous snapshot, ${span(last.getTime() - prev.getTime())} before${s.gaps.some((g) => g.at > prev && g.at < last) ? " (across a gap)" : ""} · per min: over ${s.times.length} snapshots, ${span(last.getTime() - first.getTime())}`
      : "change and per min appear from the second snapshot",
  );

  const rows = s.report ? orderRows(s.report.findings, s.order) : [];
  const fixed = 9 + 2 + 8 + 2 + 8 + 2 + 8 + 2;
  const labelWidth = Math.max(8, w - fixed);
  const head = `${"count".padStart(9)}  ${"change".padStart(8)}  ${"per min".padStart(8)}  ${"severity".padEnd(8)}  group`;
  fit(head);
  // Title, status, legend, column head above; the hint (or "N more") below.
  const room = Math.max(1, screen.height - lines.length - 1);
  const shown = rows.length > room ? rows.slice(0, room - 1) : rows;
  for (const r of shown) {
    const ch = r.change === undefined ? "·" : signed(r.change);
    const plain = `${n(r.count).padStart(9)}  ${ch.padStart(8)}  ${(r.rate === undefined ? "·" : rateText(r.rate)).padStart(8)}  ${r.severity.padEnd(8)}  ${label(r, labelWidth)}`;
    const cut = cutRight(plain, w);
    lines.push(
      r.change !== undefined && r.change > 0 && cut === plain
        ? cut.replace(ch.padStart(8), c.yellow(ch.padStart(8)))
        : cut,
    );
  }
  if (shown.length < rows.length)
    fit(`… ${n(rows.length - shown.length)} more groups (the report at the end lists them)`);
  else if (rows.length === 0 && s.report) fit("(no goroutines)");
  return { lines, order: rows.map((r) => r.key) };
}

// Alternate screen on, cursor hidden / cursor shown, alternate screen off.
const ENTER = "\x1b[?1049h\x1b[?25l";
const LEAVE = "\x1b[?25h\x1b[?1049l";

export async function watchCommand(url: string, o: WatchOptions, f: FetchOptions): Promise<void> {
  if (!isUrl(url))
    throw new CliError(
      "watch needs an http(s) URL, e.g. http://localhost:6060/debug/pprof/goroutine?debug=2",
    );
  const settings = loadSettings(o.config);
  const out = process.stdout;
  const tty = Boolean(out.isTTY);
  const snaps: Snapshot[] = [];
  const gaps: Gap[] = [];
  let taken = 0;
  let failing = 0;
  let order: readonly string[] = [];
  let lastFrame: FrameState | undefined;
  const stop = new AbortController();

  let onScreen = false;
  const leaveScreen = () => {
    if (onScreen) {
      out.write(LEAVE);
      onScreen = false;
    }
  };
  let interrupts = 0;
  let collecting = true;
  const onInt = () => {
    interrupts++;
    if (interrupts === 1 && collecting) {
      // Stop taking snapshots (abandoning a fetch under way) and report what was collected.
      stop.abort();
      return;
    }
    leaveScreen();
    process.stderr.write(
      `gosleuth watch: ${collecting ? "interrupted twice" : "interrupted"}; ending without the report\n`,
    );
    process.exit(130);
  };
  const draw = () => {
    if (!lastFrame) return;
    const screen = tty
      ? { width: out.columns || 80, height: out.rows || 24, color: colorEnabled }
      : { width: Number(process.env.COLUMNS) || 160, height: 20, color: false };
    const { lines, order: shown } = renderFrame(lastFrame, {
      ...screen,
      height: screen.height - (tty ? 1 : 0),
    });
    order = shown;
    if (tty) {
      const hint = cutRight("(Ctrl-C: stop and print the report)", screen.width);
      out.write(`\x1b[H${[...lines, hint].map((l) => `${l}\x1b[K`).join("\n")}\x1b[J`);
    } else out.write(`${lines.join("\n")}\n\n`);
  };

  // Killed (kill, a closed terminal): the screen and cursor are still given back.
  const onTerm = (signal: NodeJS.Signals) => {
    leaveScreen();
    process.exit(signal === "SIGHUP" ? 129 : 143);
  };
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onTerm);
  process.once("exit", leaveScreen);
  if (tty) {
    out.write(ENTER);
    onScreen = true;
    out.on("resize", draw);
  }
  try {
    for (let attempt = 1; o.count === 0 || attempt <= o.count; attempt++) {
      if (stop.signal.aborted) break;
      const started = Date.now();
      let report: LeakReport | undefined = lastFrame?.report;
      try {
        const d = await loadDump(url, { ...f, signal: stop.signal });
        snaps.push({ goroutines: d.goroutines, takenAt: new Date(started) });
        if (snaps.length > WINDOW) snaps.shift();
        taken++;
        failing = 0;
        report = analyzeSnapshots(snaps, settings);
      } catch (e) {
        if (stop.signal.aborted) break;
        if (!(e instanceof CliError)) throw e;
        failing++;
        gaps.push({ at: new Date(), error: e.message.replace(`${url}: `, "") });
      }
      const more = o.count === 0 || attempt < o.count;
      const wait = Math.max(0, backoff(o.every, failing) - (failing > 0 ? 0 : Date.now() - started));
      lastFrame = {
        url,
        attempt,
        count: o.count,
        report,
        times: snaps.map((s) => s.takenAt!),
        taken,
        gaps,
        failing,
        ...(failing > 0 && more ? { retryInMs: wait } : {}),
        order,
      };
      draw();
      if (!more) break;
      await sleep(wait, stop.signal);
    }
  } finally {
    collecting = false;
    out.off("resize", draw);
    leaveScreen();
    process.off("exit", leaveScreen);
  }
  try {
    if (snaps.length === 0) {
      const last = gaps[gaps.length - 1];
      throw new CliError(
        last
          ? `no snapshot was collected (${gaps.length} failed; the last: ${last.error})`
          : "stopped before the first snapshot",
      );
    }
    const first = snaps[0]!.takenAt!;
    const end = snaps[snaps.length - 1]!.takenAt!;
    const window = taken > snaps.length ? ` (the report covers the last ${snaps.length})` : "";
    const gapText =
      gaps.length > 0
        ? `, ${gaps.length} failed fetch${gaps.length === 1 ? "" : "es"} (gaps at ${gaps
            .slice(0, 5)
            .map((g) => clock(g.at))
            .join(", ")}${gaps.length > 5 ? ", …" : ""})`
        : "";
    out.write(
      `\ngosleuth watch: ${taken} snapshot${taken === 1 ? "" : "s"} over ${span(end.getTime() - first.getTime())}${window}${gapText}${stop.signal.aborted ? "; stopped by Ctrl-C" : ""}\n`,
    );
    out.write(renderText(analyzeSnapshots(snaps, settings), { color: colorEnabled }));
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    process.off("SIGHUP", onTerm);
  }
}
