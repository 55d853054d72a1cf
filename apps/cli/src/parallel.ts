// Parsing one big dump file on several threads: the file is cut into byte ranges at goroutine
// boundaries (`\n\ngoroutine `), each range is parsed on a worker thread into a small partial result,
// and the partials are merged in file order. The merge equals a one-thread parse (the parser's
// mergeFragments checks that every cut fell between two goroutines; when one did not, the caller parses
// on one thread instead).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { DumpInfo } from "@gosleuth/model";
import { type FragmentInfo, firstByteBoundary, isBlockText, mergeFragments } from "@gosleuth/parser";
import { CliError } from "./errors.ts";
import { checkInfo } from "./input.ts";
import { Progress } from "./progress.ts";
import {
  type PartialKind,
  type Partials,
  parseRange,
  partialCount,
  type RangeOptions,
} from "./range-parse.ts";

/** Files below this size are parsed on one thread unless --threads asks otherwise (worker start-up costs ~0.3 s). */
const AUTO_MIN_BYTES = 64 * 1024 * 1024;
/** Average range size in big files; there are at least RANGES_PER_THREAD ranges per thread. */
const RANGE_BYTES = 32 * 1024 * 1024;
/** Threads take the next range when free, so small ranges keep them busy until the end. */
const RANGES_PER_THREAD = 4;

export interface RangePlan {
  file: string;
  size: number;
  /** Range i is [edges[i], edges[i+1]). */
  edges: number[];
}

/** `--threads`: a number, or `auto` (default): the machine's cores, at most 4. */
export function threadCount(opt: string | undefined): number {
  if (opt === undefined || opt === "auto") return Math.min(4, availableParallelism());
  const n = Number(opt);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new CliError(
      `--threads: expected a whole number from 1 to 64 or "auto", got ${JSON.stringify(opt)}`,
      2,
    );
  }
  return n;
}

/**
 * The size of `file` when it is a regular file big enough to be worth several threads (any size when
 * the thread count was given explicitly), else null.
 */
export function parallelCandidate(file: string, explicit: boolean): number | null {
  if (file === "-" || /^https?:\/\//i.test(file)) return null;
  try {
    const st = statSync(file);
    if (!st.isFile()) return null;
    const minBytes = Number(process.env.GOSLEUTH_PARALLEL_MIN_BYTES ?? AUTO_MIN_BYTES);
    return explicit || st.size >= minBytes ? st.size : null;
  } catch {
    return null; // the one-thread path reports the error
  }
}

/**
 * Cut points for a plain-text dump file, or null when the input should be parsed on one thread:
 * compressed, a debug=1/debug=0 profile, or no goroutine boundary found near the cut points.
 */
export function planRanges(file: string, size: number, threads: number): RangePlan | null {
  const fd = openSync(file, "r");
  try {
    const head = new Uint8Array(64 * 1024);
    const got = readSync(fd, head, 0, head.length, 0);
    if (!isBlockText(head.subarray(0, got))) return null;
    const rangeBytes = Number(process.env.GOSLEUTH_RANGE_BYTES ?? RANGE_BYTES);
    const count = Math.max(threads * RANGES_PER_THREAD, Math.ceil(size / rangeBytes));
    const edges = [0];
    const window = new Uint8Array(64 * 1024);
    for (let k = 1; k < count; k++) {
      // Search forward from the nominal cut, one window at a time, up to a few windows.
      // Ranges shrink toward the end of the file (cut k at 1 - (1 - k/count)^2 of it), so the threads
      // finish their last ranges at nearly the same time (measured on the 216k dump: 40–70 ms sooner).
      const frac = 1 - (1 - k / count) ** 2;
      let from = Math.max(edges[edges.length - 1]! + 1, Math.floor(frac * size) - 2);
      let edge = -1;
      for (let tries = 0; tries < 256 && from < size && edge === -1; tries++) {
        const n = readSync(fd, window, 0, window.length, from);
        const i = firstByteBoundary(window.subarray(0, n));
        if (i > 0) edge = from + i;
        else from += Math.max(1, n - 16);
      }
      if (edge > edges[edges.length - 1]! && edge < size) edges.push(edge);
    }
    edges.push(size);
    return edges.length > 2 ? { file, size, edges } : null;
  } finally {
    closeSync(fd);
  }
}

/** Starts worker threads (they load and warm up the parser while the caller plans). */
export function startWorkers(count: number): Worker[] {
  const out: Worker[] = [];
  for (let t = 0; t < count; t++) {
    out.push(
      new Worker(new URL("./worker.mjs", import.meta.url), {
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      }),
    );
  }
  return out;
}

/** Messages between the pool and its workers. */
export type ToWorker = {
  type: "range";
  kind: PartialKind;
  options: RangeOptions;
  index: number;
  file: string;
  start: number;
  end: number;
};
export type FromWorker =
  | { type: "progress"; bytes: number; goroutines: number }
  | { type: "done"; index: number; partial: Partials[PartialKind]; fragment: FragmentInfo }
  | { type: "failed"; index: number; message: string };

/** Young generation of a worker thread, capped so that memory stays low (GOSLEUTH_WORKER_YOUNG_MB overrides). */
const WORKER_YOUNG_MB = Number(process.env.GOSLEUTH_WORKER_YOUNG_MB ?? 16);

/**
 * Parses every range of a plan on `threads` threads: this one and `threads - 1` workers, each taking
 * the next range when it is free. Partials are handed to `consume` in file order as soon as they can
 * be (so they are merged and dropped while the parse goes on); resolves with the merged info.
 */
export async function runParallel<K extends PartialKind>(
  kind: K,
  options: RangeOptions,
  plan: RangePlan,
  workers: Worker[],
  consume: (p: Partials[K]) => void,
  reserve?: (goroutines: number) => void,
): Promise<{ info: DumpInfo; clean: boolean }> {
  const n = plan.edges.length - 1;
  const waiting = new Map<number, Partials[K]>();
  let delivered = 0;
  const arrived = (index: number, p: Partials[K]) => {
    if (delivered === 0 && index === 0 && reserve) {
      // Room for all goroutines at once, estimated from the first range (with a margin: room never
      // written costs no memory, while growing copies everything into fresh, slow-to-touch memory).
      reserve(Math.ceil(((partialCount(p) * plan.size) / Math.max(1, plan.edges[1]!)) * 1.25));
    }
    waiting.set(index, p);
    for (let q = waiting.get(delivered); q !== undefined; q = waiting.get(delivered)) {
      waiting.delete(delivered++);
      consume(q);
    }
  };
  const frags: FragmentInfo[] = new Array(n);
  const progress = new Progress(plan.size, plan.file);
  let bytes = 0;
  let goroutines = 0;
  let next = 0;
  const onProgress = (b: number, g: number) => {
    bytes += b;
    goroutines += g;
    progress.update(bytes, goroutines);
  };
  let failed: Error | undefined;
  try {
    const runners: Promise<void>[] = [];
    // This thread parses ranges too (one fewer worker: less memory, and it would only wait otherwise).
    runners.push(
      (async () => {
        while (next < n && !failed) {
          const index = next++;
          const r = await parseRange(
            kind,
            options,
            plan.file,
            plan.edges[index]!,
            plan.edges[index + 1]!,
            onProgress,
          );
          arrived(index, r.partial);
          frags[index] = r.fragment;
        }
      })(),
    );
    for (const w of workers) {
      runners.push(
        new Promise<void>((resolve, reject) => {
          const give = () => {
            if (next >= n || failed) {
              resolve();
              return;
            }
            const index = next++;
            const msg: ToWorker = {
              type: "range",
              kind,
              options,
              index,
              file: plan.file,
              start: plan.edges[index]!,
              end: plan.edges[index + 1]!,
            };
            w.postMessage(msg);
          };
          w.on("message", (m: FromWorker) => {
            if (m.type === "progress") onProgress(m.bytes, m.goroutines);
            else if (m.type === "done") {
              arrived(m.index, m.partial as Partials[K]);
              frags[m.index] = m.fragment;
              give();
            } else reject((failed = new Error(`range ${m.index}: ${m.message}`)));
          });
          w.on("error", (e) => reject((failed = e)));
          w.on("exit", (code) => reject((failed ??= new Error(`a worker thread exited with code ${code}`))));
          give();
        }),
      );
    }
    await Promise.all(runners);
  } finally {
    progress.stop();
    for (const w of workers) w.removeAllListeners("exit");
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const { info, clean } = mergeFragments(frags);
  return { info, clean };
}

/**
 * Parses `input` on several threads, handing each range's partial to `consume` in file order; resolves
 * with the merged info, or null when it should be parsed on one
 * thread: --threads 1, not a big plain-text dump file, a cut that was not clean, or a thread that
 * failed (said on stderr). Throws the one-thread path's CliError for input that is not a dump.
 */
export async function parallelPartials<K extends PartialKind>(
  kind: K,
  input: string,
  threadsOpt: string | undefined,
  options: RangeOptions,
  consume: (p: Partials[K]) => void,
  reserve?: (goroutines: number) => void,
): Promise<DumpInfo | null> {
  const threads = threadCount(threadsOpt);
  if (threads < 2) return null;
  const size = parallelCandidate(input, threadsOpt !== undefined && threadsOpt !== "auto");
  if (size === null) return null;
  // The workers start (load, build and warm up the parser) while this thread plans the cuts.
  const workers = startWorkers(threads - 1);
  const plan = planRanges(input, size, threads);
  if (!plan) {
    await Promise.all(workers.map((w) => w.terminate()));
    return null;
  }
  try {
    const r = await runParallel(kind, options, plan, workers, consume, reserve);
    if (process.env.GOSLEUTH_DEBUG) {
      process.stderr.write(
        `gosleuth: parsed on ${threads} threads in ${plan.edges.length - 1} ranges (${r.clean ? "merged" : "not clean"})\n`,
      );
    }
    return r.clean ? checkInfo(input, r.info) : null;
  } catch (e) {
    if (e instanceof CliError) throw e;
    process.stderr.write(
      `gosleuth: parsing on ${threads} threads failed (${(e as Error).message}); parsing on one thread\n`,
    );
    return null;
  }
}
