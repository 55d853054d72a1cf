// A parsing thread of the parallel commands (see parallel.ts): parses the byte ranges it is given and
// sends back each range's partial result and fragment info.
import { parentPort } from "node:worker_threads";
import { parseDump } from "@gosleuth/parser";
import type { FromWorker, ToWorker } from "./parallel.ts";
import { parseRange, transferList } from "./range-parse.ts";

const port = parentPort;
if (!port) throw new Error("worker.mjs runs as a worker thread of gosleuth");

// Build the lexer and grammar now, while the main thread plans the cuts.
parseDump("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:1 +0x1\n");

port.on("message", async (m: ToWorker) => {
  try {
    const { partial, fragment } = await parseRange(
      m.kind,
      m.options,
      m.file,
      m.start,
      m.end,
      (bytes, goroutines) => {
        const msg: FromWorker = { type: "progress", bytes, goroutines };
        port.postMessage(msg);
      },
    );
    const done: FromWorker = { type: "done", index: m.index, partial, fragment };
    port.postMessage(done, transferList(partial));
  } catch (e) {
    const failed: FromWorker = { type: "failed", index: m.index, message: (e as Error).message };
    port.postMessage(failed);
  }
});
