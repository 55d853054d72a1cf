// One byte range of a dump file parsed into a summary partial (run on the main thread and on workers).
import { createReadStream } from "node:fs";
import { type FragmentInfo, parseFragment } from "@gosleuth/parser";
import { SummaryAccumulator, type SummaryPartial } from "./commands/summary.ts";
import { READ_CHUNK } from "./input.ts";

/** Progress is reported every this many bytes (and at the end of the range). */
const PROGRESS_STEP = 4 * 1024 * 1024;

export async function parseRange(
  file: string,
  start: number,
  end: number,
  onProgress: (bytes: number, goroutines: number) => void,
): Promise<{ partial: SummaryPartial; fragment: FragmentInfo }> {
  const acc = new SummaryAccumulator();
  let sentBytes = 0;
  let sentCount = 0;
  const f = parseFragment(createReadStream(file, { start, end: end - 1, highWaterMark: READ_CHUNK }), {
    onProgress: (b) => {
      if (b - sentBytes >= PROGRESS_STEP) {
        onProgress(b - sentBytes, acc.goroutines - sentCount);
        sentBytes = b;
        sentCount = acc.goroutines;
      }
    },
  });
  for await (const batch of f.batches()) acc.add(batch);
  const fragment = await f.fragment;
  onProgress(fragment.bytes - sentBytes, acc.goroutines - sentCount);
  return { partial: acc.partial(), fragment };
}
