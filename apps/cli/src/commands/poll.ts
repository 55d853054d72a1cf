// Polling one URL for `leaks --every` and `fetch --every`, as `watch` does: a failed fetch (the service
// restarting, out of memory: exactly when a dump matters) is a gap, said on stderr and followed by a backoff;
// --count counts attempts, failed ones included; the first Ctrl-C stops collecting (abandoning a fetch under
// way) and the command ends with what it collected, a second ends at once.
import { CliError } from "../errors.ts";

/** Longest wait between attempts while the endpoint keeps failing (unless --every is longer). */
const MAX_BACKOFF_MS = 60_000;

/** Waits `ms`, or less when `signal` aborts; leaves no listener behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    if (signal.aborted) return ok();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      ok();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Wait after `failing` consecutive failures: doubling from --every, up to a minute (or --every if longer). */
export function backoff(every: number, failing: number): number {
  if (failing === 0) return every;
  return Math.min(every * 2 ** failing, Math.max(every, MAX_BACKOFF_MS));
}

export interface PollGap {
  at: Date;
  error: string;
}

export interface PollResult {
  attempts: number;
  /** Snapshots taken (attempts that worked). */
  taken: number;
  gaps: PollGap[];
  /** Stopped by Ctrl-C. */
  interrupted: boolean;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 100) / 10}s`;
}

/**
 * Calls `take` `count` times, `every` ms apart (from each start), or longer after failures. `take` gets the
 * number of the snapshot it would make (1 for the first that works), the attempt's and a signal that Ctrl-C aborts; it
 * fails with a CliError for a failed fetch (a gap), anything else is a bug and ends the command; it returns
 * "stop" when there is nothing more to poll.
 */
export async function poll(
  name: string,
  url: string,
  o: { every: number; count: number },
  take: (n: number, attempt: number, signal: AbortSignal) => Promise<unknown>,
): Promise<PollResult> {
  const stop = new AbortController();
  let collecting = true;
  const onInt = () => {
    if (collecting && !stop.signal.aborted) {
      stop.abort();
      return;
    }
    process.stderr.write(`${name}: interrupted twice; ending without the report\n`);
    process.exit(130);
  };
  process.on("SIGINT", onInt);
  const gaps: PollGap[] = [];
  let taken = 0;
  let failing = 0;
  let attempt = 0;
  try {
    while (attempt < o.count && !stop.signal.aborted) {
      attempt++;
      const started = Date.now();
      const more = attempt < o.count;
      try {
        const said = await take(taken + 1, attempt, stop.signal);
        taken++;
        failing = 0;
        if (said === "stop") break;
      } catch (e) {
        if (stop.signal.aborted) break;
        if (!(e instanceof CliError)) throw e;
        failing++;
        const error = e.message.replace(`${url}: `, "");
        gaps.push({ at: new Date(), error });
        process.stderr.write(
          `${name}: fetch ${attempt}/${o.count} failed (a gap in the series): ${error}${more ? `; retrying in ${seconds(backoff(o.every, failing))}` : ""}\n`,
        );
      }
      if (!more) break;
      await sleep(
        Math.max(0, backoff(o.every, failing) - (failing > 0 ? 0 : Date.now() - started)),
        stop.signal,
      );
    }
  } finally {
    collecting = false;
    process.off("SIGINT", onInt);
  }
  return { attempts: attempt, taken, gaps, interrupted: stop.signal.aborted };
}

/** One line for the end of a poll: how many snapshots of how many attempts, the gaps, a Ctrl-C. */
export function pollSummary(name: string, r: PollResult): string {
  const gaps = r.gaps.length;
  return `${name}: ${r.taken} snapshot${r.taken === 1 ? "" : "s"} from ${r.attempts} fetch${r.attempts === 1 ? "" : "es"}${gaps ? `, ${gaps} failed (gaps in the series)` : ""}${r.interrupted ? "; stopped by Ctrl-C" : ""}\n`;
}

/** The error when nothing was collected. */
export function nothingCollected(r: PollResult): CliError {
  const last = r.gaps[r.gaps.length - 1];
  return new CliError(
    last
      ? `no snapshot was collected (${r.gaps.length} failed; the last: ${last.error})`
      : "stopped before the first snapshot",
  );
}
