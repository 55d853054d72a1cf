import { describe, expect, it } from "vitest";
import type { CreatorSite } from "./intern.ts";
import { countBelow, countFromLeaves, spawnView } from "./spawn-view.ts";

/**
 * Descendants by walking up from every position until the chain ends or comes back to a goroutine it
 * passed (what countBelow must equal): each goroutine counts once under every other one it reaches.
 */
function walkUp(parentIdx: Int32Array): Int32Array {
  const below = new Int32Array(parentIdx.length);
  for (let i = 0; i < parentIdx.length; i++) {
    const seen = new Set([i]);
    for (let p = parentIdx[i]!; p !== -1 && !seen.has(p); p = parentIdx[p]!) {
      below[p]!++;
      seen.add(p);
    }
  }
  return below;
}

/** A seeded generator, so a failure names the input it failed on. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("countBelow", () => {
  it("equals walking up from every goroutine, on random forests", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 60);
      // Parents before their children in a random order of positions: no loops.
      const order = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5);
      const parentIdx = new Int32Array(n).fill(-1);
      for (let k = 1; k < n; k++) if (r() < 0.85) parentIdx[order[k]!] = order[Math.floor(r() * k)]!;
      const want = [...walkUp(parentIdx)];
      expect([...countBelow(parentIdx)], `seed ${seed}`).toEqual(want);
      expect([...countFromLeaves(parentIdx)], `seed ${seed}`).toEqual(want);
    }
  });

  it("counts chains on either side of the walk's limit alike", () => {
    for (const n of [63, 64, 65, 66, 200]) {
      const parentIdx = Int32Array.from({ length: n }, (_, i) => i - 1);
      expect([...countBelow(parentIdx)], `chain of ${n}`).toEqual([...walkUp(parentIdx)]);
    }
  });

  it("equals walking up from every goroutine, on random parents that may loop", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 60);
      const parentIdx = Int32Array.from({ length: n }, () => (r() < 0.2 ? -1 : Math.floor(r() * n)));
      expect([...countBelow(parentIdx)], `seed ${seed}`).toEqual([...walkUp(parentIdx)]);
    }
  });

  it("counts a chain deeper than 10,000 to its root exactly", () => {
    const n = 30_000;
    const parentIdx = new Int32Array(n);
    for (let i = 0; i < n; i++) parentIdx[i] = i - 1;
    const below = countBelow(parentIdx);
    expect(below[0]).toBe(n - 1);
    expect(below[10_000]).toBe(n - 10_001);
    expect(below[n - 1]).toBe(0);
  });

  it("gives every goroutine on a loop of parent ids all the others that reach the loop", () => {
    // 0 → 1 → 2 → 0 loop; 3 and 4 hang under 0, 5 under 3; 6 is a separate root with child 7.
    const parentIdx = Int32Array.from([1, 2, 0, 0, 0, 3, -1, 6]);
    expect([...countBelow(parentIdx)]).toEqual([5, 5, 5, 1, 0, 0, 1, 0]);
    // A goroutine printed as its own parent.
    expect([...countBelow(Int32Array.from([0, 0]))]).toEqual([1, 0]);
  });
});

describe("spawnView", () => {
  const site: CreatorSite = { function: "main.spawn", file: "main.go", line: 7 };

  it("counts descendants per creating site when parent ids loop (joined dumps)", () => {
    // Goroutines 1, 2, 3 each name another as parent, round the loop; 4 hangs under 3.
    const view = spawnView({
      ids: [1, 2, 3, 4],
      parents: [2, 3, 1, 3],
      siteOf: [1, 1, 1, 1],
      sites: [null, site],
    });
    expect(view.orphans).toBe(0);
    // Each of the loop's three has the other three below it, 4 has none: 4 + 4 + 4 + 1.
    expect(view.topSpawningSites).toEqual([{ site: "main.spawn main.go:7", children: 4, descendants: 13 }]);
  });

  it("counts 200,000 goroutines whose parents loop as walking up from each does", () => {
    // Each goroutine's parent is a quarter of the way down: they all end in one goroutine that names
    // itself as parent (walking up with a cap of 10,000 steps took 6 s here and counted that one
    // goroutine thousands of times over).
    const n = 200_000;
    const ids = Array.from({ length: n }, (_, i) => i + 100);
    const parents = ids.map((_, i) => 4274 + (i >> 2));
    const parentIdx = Int32Array.from(parents, (p) => p - 100);
    let descendants = n;
    for (const b of walkUp(parentIdx)) descendants += b;
    const view = spawnView({ ids, parents, siteOf: new Array(n).fill(1), sites: [null, site] });
    expect(view.goroutines).toBe(n);
    expect(view.orphans).toBe(0);
    expect(view.topSpawningSites).toEqual([{ site: "main.spawn main.go:7", children: n, descendants }]);
  });
});
