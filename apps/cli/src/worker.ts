// A parsing thread of the parallel commands (see parallel.ts): parses the byte ranges it is given and
// sends back each range's partial result and fragment info.
import { parentPort, workerData } from "node:worker_threads";
import type { FromWorker, ToWorker } from "./parallel.ts";
import { loadKind, type PartialKind, parseRange, type RangeOptions, warmUpKind } from "./range-parse.ts";

const port = parentPort;
if (!port) throw new Error("worker.mjs runs as a worker thread of gosleuth");

// Load the consumer of the command's kind (a chunk of its own) and, for a big file, warm the parser and the
// consumer up (warmUpKind, with the command's options) now, while the main thread plans the cuts.
const data = workerData as { kind?: PartialKind; warmUp?: RangeOptions | null } | null;
const ready = data?.kind
  ? loadKind(data.kind).then(
      (kind) => {
        if (data.warmUp) warmUpKind(kind, data.warmUp);
      },
      () => {}, // a failure shows again where the range needs it
    )
  : Promise.resolve();

port.on("message", async (m: ToWorker) => {
  try {
    await ready;
    // Fault injection for the tests: this range fails as a broken thread would.
    if (process.env.GOSLEUTH_FAIL_RANGE === String(m.index)) throw new Error("injected failure");
    const r = await parseRange(m.kind, m.options, m.file, m.start, m.end, (bytes, goroutines) => {
      const msg: FromWorker = { type: "progress", bytes, goroutines };
      port.postMessage(msg);
    });
    const partial = r.partial!; // a partial always: nothing is parsed into a consumer here
    const done: FromWorker = { type: "done", index: m.index, partial, fragment: r.fragment };
    port.postMessage(
      done,
      (await loadKind(m.kind)).buffers(partial).map((a) => a.buffer as ArrayBuffer),
    );
  } catch (e) {
    const failed: FromWorker = { type: "failed", index: m.index, message: (e as Error).message };
    port.postMessage(failed);
  }
});
