// Splits a decompressed dump's parse time into phases (lexing alone, lexing + grammar with no-op actions, the full model).
// Usage: esbuild bench/phases.ts --bundle --platform=node --format=esm --outfile=/tmp/ph.mjs && node /tmp/ph.mjs FILE lex|noop|full [runs] (best of runs)
import { readFileSync } from "node:fs";
import { Lexer } from "chevrotain";
import { ModelBuilder } from "../src/builder.ts";
import { lastBoundary } from "../src/chunker.ts";
import { parseText } from "../src/parser.ts";
import { ALL_TOKENS } from "../src/tokens.ts";

const file = process.argv[2];
const mode = process.argv[3] ?? "full";
if (!file) throw new Error("usage: phases FILE lex|noop|full");
const text = readFileSync(file).toString("latin1");
// The same 1 MiB pieces cut at goroutine boundaries as the streaming path, each a flat string.
const pieces: string[] = [];
for (let pos = 0; pos < text.length; ) {
  let end = Math.min(text.length, pos + (1 << 20));
  if (end < text.length) {
    const b = lastBoundary(text.slice(pos, end));
    if (b > 0) end = pos + b;
  }
  pieces.push(Buffer.from(text.slice(pos, end), "latin1").toString("latin1"));
  pos = end;
}
const lexer = new Lexer(ALL_TOKENS, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
  skipValidations: true,
});
const runs = Number(process.argv[4] ?? 3);
let best = { ms: Number.POSITIVE_INFINITY, cpuMs: 0, n: 0 };
for (let run = 0; run < runs; run++) {
  const r = once();
  if (r.ms < best.ms) best = r;
}
console.log(
  JSON.stringify({
    mode,
    runs,
    n: best.n,
    wallMs: Math.round(best.ms),
    cpuMs: Math.round(best.cpuMs),
    MBps: +(text.length / 1e3 / best.ms).toFixed(1),
  }),
);

/** One timed pass over all pieces. */
function once(): { ms: number; cpuMs: number; n: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  if (mode === "lex") {
    for (const p of pieces) n += lexer.tokenize(p).tokens.length;
  } else if (mode === "noop") {
    const nop = () => {};
    const b = {
      line: 1,
      out: [],
      diag: nop,
      strayFrame: nop,
      strayLines: nop,
      blank: nop,
      other: nop,
      startGoroutine: nop,
      frame: nop,
      elision: nop,
      unavailable: nop,
      createdBy: nop,
      ancestor: nop,
      endGoroutine: () => {
        n++;
      },
    } as unknown as ModelBuilder;
    for (const p of pieces) parseText(p, b);
  } else {
    const b = new ModelBuilder();
    for (const p of pieces) {
      parseText(p, b);
      n += b.out.length;
      b.out = [];
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, n };
}
