// Parsing one big dump file on several threads: the file is cut into byte ranges at goroutine
// boundaries (`\n\ngoroutine `), each range is parsed on a worker thread into a small partial result,
// and the partials are merged in file order. The merge equals a one-thread parse (the parser's
// mergeFragments checks that every cut fell between two goroutines; when one did not, the caller parses
// on one thread instead).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { DumpInfo } from "@gosleuth/model";
import { type FragmentInfo, firstByteBoundary, isBlockText, mergeFragments } from "@gosleuth/parser";
import { CliError } from "./errors.ts";
import { tuneHeap } from "./heap.ts";
import { checkInfo, type FetchOptions, isUrl, parseInput } from "./input.ts";
import { Progress } from "./progress.ts";
import {
  type Consumer,
  type ConsumerOf,
  loadKind,
  type PartialKind,
  type PartialOf,
  parseRange,
  type RangeOptions,
  wantsWarmUp,
  warmUpKind,
} from "./range-parse.ts";

/**
 * Files below this size are parsed on one thread unless --threads asks otherwise: a worker takes a
 * noticeable time to start and parses its first range before V8 has optimised the parser.
 */
const AUTO_MIN_BYTES = 64 * 1024 * 1024;
/** Average range size in big files; there are at least RANGES_PER_THREAD ranges per thread. */
const RANGE_BYTES = 32 * 1024 * 1024;
/**
 * Threads take the next range when free, so small ranges keep them busy until the end (two a thread
 * left one thread finishing a big range alone: the threads do not run at the same speed).
 */
const RANGES_PER_THREAD = 4;

export interface RangePlan {
  file: string;
  size: number;
  /** Range i is [edges[i], edges[i+1]). */
  edges: number[];
}

/**
 * On a machine of two cores, files from this size on are parsed on two threads under `--threads auto`.
 * The second thread's fixed costs (its start, its warm-up, its own heap collected on V8's background
 * threads, which then share the two cores with the parsers) are paid off only over a long parse: on
 * 2026-12-02's 2-core machine two threads finished a 316 MB dump no sooner, a 475 MB one 8% sooner for
 * `summary` and 3% later for `leaks`, and from 576 MB (unique arguments) and 791 MB on every command
 * sooner (fastest runs: `summary` 9–18%, `tree` 14–22%, `leaks` 4–20%), at about half again the CPU
 * (tooling/bench/README.md).
 */
const TWO_CORE_MIN_BYTES = 512 * 1024 * 1024;

/**
 * The kinds that take that second thread: not `stacks`, whose two threads peaked at 276–289 MB on the
 * 1.5 GB dump against 247 MB on one, for 5.46–6.48 s against 5.80 s (2026-12-02).
 */
const TWO_CORE_KINDS: ReadonlySet<PartialKind> = new Set<PartialKind>(["summary", "tree", "leaks"]);

/**
 * `--threads`: a number, or `auto` (default): one fewer than the cores, at most 4, on a machine of three
 * cores or more; on two cores two threads for a file of TWO_CORE_MIN_BYTES or more (`size`: a local
 * regular file's, else null) when the command's `kind` is one of TWO_CORE_KINDS, else one; one on one
 * core. Each parsing thread is a V8 isolate that compiles the parser again and collects its own heap on
 * V8's background threads; with as many parsing threads as cores those background threads take cores
 * from the parsers: on two cores two threads cost about half again the CPU time of one, and on the 216k
 * dump (158 MB) finished later. `cores` is for the tests.
 */
export function threadCount(
  opt: string | undefined,
  cores = availableParallelism(),
  size: number | null = null,
  kind?: PartialKind,
): number {
  if (opt === undefined || opt === "auto") {
    if (cores >= 3) return Math.min(4, cores - 1);
    const big = size !== null && size >= TWO_CORE_MIN_BYTES;
    return cores === 2 && big && kind !== undefined && TWO_CORE_KINDS.has(kind) ? 2 : 1;
  }
  const n = Number(opt);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new CliError(
      `--threads: expected a whole number from 1 to 64 or "auto", got ${JSON.stringify(opt)}`,
      2,
    );
  }
  return n;
}

/** The size of `file` when it is a local regular file, else null. */
function localFileSize(file: string): number | null {
  if (file === "-" || isUrl(file)) return null;
  try {
    const st = statSync(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null; // the one-thread path reports the error
  }
}

/**
 * `size` (a local regular file's, or null: see localFileSize) when it is big enough to be worth several
 * threads (any size when the thread count was given explicitly), else null.
 */
function parallelCandidate(size: number | null, explicit: boolean): number | null {
  if (size === null) return null;
  const minBytes = Number(process.env.GOSLEUTH_PARALLEL_MIN_BYTES ?? AUTO_MIN_BYTES);
  return explicit || size >= minBytes ? size : null;
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
      // Search forward from the nominal cut, one 64 KiB window at a time, for up to 16 MB.
      // Ranges shrink toward the end of the file (cut k at 1 - (1 - k/count)^2 of it), so the threads
      // finish their last ranges at nearly the same time instead of one thread finishing a full-size range alone.
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

/**
 * Starts worker threads (they load the kind's consumer while the caller plans and, given `warmUp`, the
 * command's options, warm up: see warmUpKind).
 */
export function startWorkers(count: number, k: PartialKind, warmUp: RangeOptions | null = null): Worker[] {
  // Loaded here, not imported: a run on one thread never needs node:worker_threads (about 2.5 ms of
  // start-up).
  const { Worker } = process.getBuiltinModule("node:worker_threads") as typeof import("node:worker_threads");
  const out: Worker[] = [];
  for (let t = 0; t < count; t++) {
    out.push(
      new Worker(new URL("./worker.mjs", import.meta.url), {
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
        workerData: { kind: k, warmUp },
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
  | { type: "done"; index: number; partial: PartialOf<PartialKind>; fragment: FragmentInfo }
  | { type: "failed"; index: number; message: string };

/**
 * Young generation of a worker thread, capped so that memory stays low (GOSLEUTH_WORKER_YOUNG_MB
 * overrides). 8 rather than 16: on the 1.5 GB dump with unique arguments, two threads peaked at 220–262 MB
 * instead of 238–288, 0–2% slower; on the plain dumps no slower (2026-12-02).
 */
const WORKER_YOUNG_MB = Number(process.env.GOSLEUTH_WORKER_YOUNG_MB ?? 8);

/**
 * Parses every range of a plan on this thread and the given workers, each taking the next range when
 * it is free. Partials are merged into `into` in file order as soon as they can be (and dropped); resolves
 * with the merged info. On a failure nothing more is merged, and it rejects only once this thread's
 * own range has ended, so no late partial reaches `into` (or anything) afterwards.
 */
export async function runParallel<K extends PartialKind>(
  k: K,
  options: RangeOptions,
  plan: RangePlan,
  workers: Worker[],
  into: Consumer<PartialOf<K>>,
): Promise<{ info: DumpInfo; clean: boolean }> {
  const n = plan.edges.length - 1;
  const kindOf = await loadKind(k);
  const waiting = new Map<number, PartialOf<K>>();
  let delivered = 0;
  let failed: Error | undefined;
  const fail = (e: Error) => {
    failed ??= e;
    for (const w of workers) void w.terminate();
  };
  const arrived = (index: number, p: PartialOf<K>) => {
    if (failed) return;
    waiting.set(index, p);
    drain();
  };
  // Room for all goroutines at once, estimated once range 0 is in `into` (with a margin: room never
  // written costs no memory, while growing copies everything into fresh, slow-to-touch memory).
  const reserveAll = () =>
    into.reserve(Math.ceil(((into.goroutines * plan.size) / Math.max(1, plan.edges[1]!)) * 1.25));
  /** Range 0 was parsed into `into` itself: the ranges waiting after it can merge now. */
  const parsedInto = () => {
    if (failed) return;
    delivered = 1;
    reserveAll();
    drain();
  };
  const drain = () => {
    for (let q = waiting.get(delivered); q !== undefined; q = waiting.get(delivered)) {
      waiting.delete(delivered++);
      into.merge(q);
      if (delivered === 1) reserveAll();
    }
  };
  const frags: FragmentInfo[] = new Array(n);
  // GOSLEUTH_DEBUG: when each range was given and done (ms since the process started) and by which thread.
  const timeline: string[] | null = process.env.GOSLEUTH_DEBUG ? [] : null;
  const mark = (index: number, who: string, t0: number) =>
    timeline?.push(
      `  range ${index} (${((plan.edges[index + 1]! - plan.edges[index]!) / 1048576).toFixed(1)} MB) on ${who}: ${t0.toFixed(0)}–${performance.now().toFixed(0)} ms`,
    );
  const progress = new Progress(plan.size, plan.file);
  let bytes = 0;
  let goroutines = 0;
  let next = 0;
  const onProgress = (b: number, g: number) => {
    bytes += b;
    goroutines += g;
    progress.update(bytes, goroutines);
  };
  // This thread parses ranges too (one fewer worker: less memory, and it would only wait otherwise).
  const runners: Promise<void>[] = [
    (async () => {
      while (next < n && !failed) {
        const index = next++;
        const t0 = performance.now();
        // The first range goes straight into `into` (no partial to build and merge): nothing has been
        // merged yet, and later ranges wait in `waiting` until it is done (delivered stays 0 until then).
        const direct = index === 0 && kindOf.direct !== false;
        const r = await parseRange(
          k,
          options,
          plan.file,
          plan.edges[index]!,
          plan.edges[index + 1]!,
          onProgress,
          direct ? into : undefined,
        );
        frags[index] = r.fragment;
        if (r.partial) arrived(index, r.partial);
        else parsedInto();
        mark(index, "main", t0);
      }
    })().catch(fail),
  ];
  for (const [t, w] of workers.entries()) {
    runners.push(
      new Promise<void>((resolve) => {
        let busy = -1; // the range this worker is parsing
        let t0 = 0;
        const give = () => {
          busy = -1;
          if (next >= n || failed) {
            resolve();
            return;
          }
          const index = next++;
          busy = index;
          t0 = performance.now();
          const msg: ToWorker = {
            type: "range",
            kind: k,
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
            frags[m.index] = m.fragment;
            arrived(m.index, m.partial as PartialOf<K>);
            mark(m.index, `worker ${t + 1}`, t0);
            give();
          } else fail(new Error(`range ${m.index}: ${m.message}`));
        });
        w.on("error", fail);
        w.on("exit", (code) => {
          if (busy !== -1) fail(new Error(`a worker thread exited with code ${code} in range ${busy}`));
          resolve();
        });
        give();
      }),
    );
  }
  try {
    await Promise.all(runners);
  } finally {
    progress.stop();
    for (const w of workers) w.removeAllListeners();
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (timeline) process.stderr.write(`gosleuth: ranges, ms since start:\n${timeline.join("\n")}\n`);
  if (failed) throw failed;
  return mergeFragments(frags);
}

/**
 * Parses `input` into the kind's consumer: on several threads when it is a big plain-text dump file,
 * else (or when a cut was not clean, or a thread failed: said on stderr) on this thread alone. The
 * info's CliError checks are those of the one-thread path.
 */
export async function consumeInput<K extends PartialKind>(
  k: K,
  input: string,
  opts: { threads?: string; fetch: FetchOptions; options?: RangeOptions },
): Promise<{ consumer: ConsumerOf<K>; info: DumpInfo; name: string }> {
  const options = opts.options ?? {};
  // Bounded heap growth keeps a big file's peak memory down on one thread too (stacks on the 1.5 GB
  // dump peaked above 300 MB without it); the young generation grows at once (tuneHeap).
  const fileSize = localFileSize(input);
  tuneHeap(fileSize, k === "summary" || k === "tree");
  const threads = threadCount(opts.threads, undefined, fileSize, k);
  const size =
    threads < 2 ? null : parallelCandidate(fileSize, opts.threads !== undefined && opts.threads !== "auto");
  // This thread warms up once (warmUpKind), before its first range or the one-thread parse: a parallel
  // parse that falls back to one thread does not warm up again.
  let warm = wantsWarmUp(fileSize);
  const makeConsumer = async () => {
    const kind = await loadKind(k);
    if (warm) warmUpKind(kind, options);
    warm = false;
    return kind.make(options);
  };
  if (size !== null) {
    // The workers start (load the kind, warm up) while this thread plans the cuts.
    const workers = startWorkers(threads - 1, k, warm ? options : null);
    if (process.env.GOSLEUTH_DEBUG)
      process.stderr.write(`gosleuth: workers started at ${performance.now().toFixed(0)} ms\n`);
    const plan = planRanges(input, size, threads);
    if (!plan) await Promise.all(workers.map((w) => w.terminate()));
    else {
      const consumer = await makeConsumer();
      try {
        const r = await runParallel(k, options, plan, workers, consumer);
        if (process.env.GOSLEUTH_DEBUG) {
          process.stderr.write(
            `gosleuth: parsed on ${threads} threads in ${plan.edges.length - 1} ranges (${r.clean ? "merged" : "not clean"})\n`,
          );
        }
        if (r.clean) return { consumer, info: checkInfo(input, r.info), name: input };
      } catch (e) {
        if (e instanceof CliError) throw e;
        process.stderr.write(
          `gosleuth: parsing on ${threads} threads failed (${(e as Error).message}); parsing on one thread\n`,
        );
      }
    }
  }
  const consumer = await makeConsumer();
  // The commands of these kinds read what the text around a dump says, never the text itself.
  const p = await parseInput(input, opts.fetch, (items) => consumer.add(items), false);
  for await (const batch of p.stream.batches()) consumer.add(batch);
  return { consumer, info: await p.finish(), name: p.name };
}
