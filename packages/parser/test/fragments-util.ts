// Test helpers: cut a dump at goroutine boundaries the way the CLI's threads do, parse the pieces apart
// and merge them (used by fragments.test.ts and the fuzz campaign in hostile.test.ts).
import type { StreamItem } from "@gosleuth/model";
import { firstByteBoundary, mergeFragments, parseFragment } from "../src/index.ts";

/** Offsets of every `g` of a `\n\ngoroutine ` boundary, found the way the CLI finds its cut points. */
export function boundaries(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let from = 0;
  for (;;) {
    const i = firstByteBoundary(bytes.subarray(from));
    if (i === -1) return out;
    out.push(from + i);
    from += i;
  }
}

/** Parses `bytes` cut at `cuts` as separate fragments (fed in small chunks) and merges them. */
export async function parseInFragments(bytes: Uint8Array, cuts: number[], lossless = true) {
  const edges = [0, ...cuts, bytes.length];
  const frags = [];
  let goroutines = 0;
  const ids: number[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const part = bytes.subarray(edges[i], edges[i + 1]);
    // Feed in small chunks so the fragment's own splitting is exercised too.
    const chunks: Uint8Array[] = [];
    for (let o = 0; o < part.length; o += 777) chunks.push(part.subarray(o, o + 777));
    const f = parseFragment(chunks, { pieceSize: 4096, lossless });
    for await (const batch of f.batches())
      for (const item of batch as StreamItem[]) {
        if (item.kind === "goroutine") {
          goroutines++;
          ids.push(item.id);
        } else goroutines += item.count;
      }
    frags.push(await f.fragment);
  }
  return { ...mergeFragments(frags), goroutines, ids };
}
