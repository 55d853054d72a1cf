#!/usr/bin/env node
// Writes the dump shapes the memory figures in README.md are measured on (hostile to grouping, unlike the
// 216k dump): `node tooling/bench/gen-shapes.mjs SHAPE OUT [N]`.
//
//   uniqfn       N goroutines (default 100,000), each in a function of its own: no two stacks alike (24 MB)
//   uniqfnstate  the same, each also with a state text of its own ([chan receive N]) (N default 80,000, 20 MB)
//   logdump      a log around a dump: N log lines (default 500,000, 77 MB), `SIGQUIT: quit`, the first 31 MB
//                of the 216k dump, N log lines again (186 MB)
// The same arguments give the same bytes. `pnpm bench --only=shape` makes uniqfn and logdump in .data.
import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { DATA_DIR } from "./paths.mjs";

const [shape, out, nText] = process.argv.slice(2);
const shapes = { uniqfn: 100_000, uniqfnstate: 80_000, logdump: 500_000 };
if (!(shape in shapes) || !out) {
  console.error("usage: node tooling/bench/gen-shapes.mjs uniqfn|uniqfnstate|logdump OUT [N]");
  process.exit(2);
}
const n = nText === undefined ? shapes[shape] : Number(nText);
const w = createWriteStream(out);
/** Writes `s`, waiting when the stream's buffer is full. */
async function put(s) {
  if (!w.write(s)) await once(w, "drain");
}
const hex = (v) => `0x${v.toString(16)}`;

async function uniqueFunctions(ownState) {
  await put("goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:20 +0x1d\n\n");
  for (let i = 0; i < n; i++) {
    const id = i + 2;
    const state = ownState ? `chan receive ${i}` : "chan receive";
    await put(
      `goroutine ${id} [${state}]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/proc.go:435 +0xce\n` +
        `main.fn${i}(${hex(0xc000100000 + i * 0x60)})\n\t/src/app/gen.go:${10 + (i % 5000)} +0x${(0x40 + (i % 200)).toString(16)}\n` +
        `created by main.main in goroutine 1\n\t/src/app/main.go:18 +0x45\n\n`,
    );
  }
}

const LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN"];
async function logLines(from) {
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2026, 11, 3, 10) + (from + i) * 7).toISOString();
    await put(
      `${t} ${LEVELS[i % 5]} http: request handled method=GET path=/api/v1/items/${((from + i) * 7919) % 1_000_003} status=200 dur=${(i % 977) / 10}ms remote=10.0.${i % 251}.${i % 241}:${40000 + (i % 20000)} trace=${(((from + i) * 2654435761) % 4294967296).toString(16).padStart(8, "0")}${((i * 40503) % 65536).toString(16).padStart(4, "0")}\n`,
    );
  }
}

async function logAroundDump() {
  const dump = `${DATA_DIR}/go1.26-spawnfarm-216k.txt`;
  if (!existsSync(dump)) {
    console.error(`gen-shapes: ${dump} is missing (run pnpm bench once to decompress it)`);
    process.exit(2);
  }
  await logLines(0);
  await put("SIGQUIT: quit\nPC=0x46b2c1 m=0 sigcode=0\n\n");
  // The dump's first 31 MB, cut at a goroutine's start so that no block is torn.
  let left = 31_000_000;
  for await (const chunk of createReadStream(dump, { highWaterMark: 1 << 20 })) {
    if (chunk.length < left) {
      await put(chunk);
      left -= chunk.length;
      continue;
    }
    const cut = chunk.indexOf("\n\ngoroutine ", left);
    await put(cut === -1 ? chunk : chunk.subarray(0, cut + 2));
    if (cut !== -1) break;
    left = 0;
  }
  await logLines(n);
}

if (shape === "logdump") await logAroundDump();
else await uniqueFunctions(shape === "uniqfnstate");
w.end();
await once(w, "finish");
