// Measures parseStream on a decompressed dump file: MB/s, goroutines/s and peak RSS (full model built, then dropped).
// Usage: pnpm exec esbuild bench/parse-bench.ts --bundle --platform=node --format=esm --outfile=/tmp/pb.mjs && node /tmp/pb.mjs FILE
import { createReadStream, statSync } from "node:fs";
import { parseStream } from "../src/index.ts";

const file = process.argv[2];
if (!file) throw new Error("usage: parse-bench FILE");
const bytes = statSync(file).size;
const t0 = performance.now();
const s = parseStream(createReadStream(file, { highWaterMark: 1 << 20 }));
let goroutines = 0;
let frames = 0;
for await (const batch of s.batches()) {
  for (const item of batch) {
    if (item.kind === "goroutine") {
      goroutines++;
      frames += item.frames.length;
    } else goroutines += item.count;
  }
}
const info = await s.info;
const secs = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    file,
    MB: +(bytes / 1e6).toFixed(1),
    seconds: +secs.toFixed(2),
    MBps: +(bytes / 1e6 / secs).toFixed(1),
    goroutinesPerSec: Math.round(goroutines / secs),
    goroutines,
    frames,
    diagnostics: info.diagnostics.length,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
