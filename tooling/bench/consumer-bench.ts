// Times what `summary`, `tree` and `leaks` do with each goroutine, apart from parsing: the dump is parsed
// once and kept, then each command's consumer takes the same batches, ROUNDS times in turn in one warm
// process (a new consumer each round). The fastest round of each: far steadier than whole commands.
import { createReadStream } from "node:fs";
import type { StreamItem } from "@gosleuth/model";
import { parseStream } from "@gosleuth/parser";
import { KIND as LEAKS } from "../../apps/cli/src/kinds/leaks.ts";
import { KIND as SUMMARY } from "../../apps/cli/src/kinds/summary.ts";
import { KIND as TREE } from "../../apps/cli/src/kinds/tree.ts";

const file = process.argv[2]!;
const rounds = Number(process.argv[3] ?? 7);
// Batches as the parser hands them to a consumer (copied: a stream may reuse its arrays).
const batches: StreamItem[][] = [];
const s = parseStream(createReadStream(file, { highWaterMark: 1 << 20 }));
for await (const batch of s.batches()) batches.push([...batch]);
const kinds = { summary: SUMMARY, tree: TREE, leaks: LEAKS } as const;
const best: Record<string, number> = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, k] of Object.entries(kinds)) {
    const c = k.make({});
    const t0 = performance.now();
    for (const b of batches) c.add(b);
    c.partial();
    const t = performance.now() - t0;
    best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, t);
  }
}
const goroutines = batches.reduce((n, b) => n + b.length, 0);
console.log(
  JSON.stringify({
    goroutines,
    ...Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v)])),
  }),
);
