// The Grouper's per-group counts (kept as runs and "last seen" shortcuts while adding) against a plain
// recount of the same goroutines, on real dumps where kinds of goroutines interleave.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { Grouper, stateCounts } from "./grouper.ts";

describe("Grouper counts", () => {
  it("counts states that alternate inside one group (synthetic: RLock and Lock are both rwmutex)", () => {
    const g = (id: number, state: string, parent: number) =>
      `goroutine ${id} [${state}]:\nsync.runtime_SemacquireRWMutex(0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/sema.go:105 +0x25\nmain.worker()\n\t/app/main.go:9 +0x1\ncreated by main.main in goroutine ${parent}\n\t/app/main.go:5 +0x1\n`;
    const states = [
      "sync.RWMutex.RLock",
      "sync.RWMutex.Lock",
      "sync.RWMutex.Lock",
      "sync.RWMutex.RLock",
      "sync.RWMutex.Lock",
    ];
    const text = states.map((st, i) => g(i + 10, st, i < 3 ? 1 : 2)).join("\n");
    const gr = new Grouper();
    for (const x of parseDump(text).goroutines) gr.add(x);
    expect(gr.groups.size).toBe(1);
    const a = [...gr.groups.values()][0]!;
    expect([...stateCounts(a)]).toEqual([
      ["sync.RWMutex.RLock", 2],
      ["sync.RWMutex.Lock", 3],
    ]);
    expect([...a.parents]).toEqual([1, 2]);
  });
  it("tells a group's missing parents and its first parent started as a request handler", () => {
    const serving = (id: number, fn: string, file: string) =>
      `goroutine ${id} [IO wait]:\nmain.handle()\n\t/app/main.go:20 +0x1\n${fn}(0xc000123456)\n\t${file}:100 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:5 +0x1\n`;
    const child = (id: number, parent: number) =>
      `goroutine ${id} [chan receive]:\nmain.worker()\n\t/app/main.go:9 +0x1\ncreated by main.handle in goroutine ${parent}\n\t/app/main.go:21 +0x1\n`;
    const text = [
      serving(5, "net/http.(*conn).serve", "/go/src/net/http/server.go"),
      serving(6, "google.golang.org/grpc.(*Server).handleStream", "/mod/grpc/server.go"),
      // Parents in the order first seen: 99 (not in the dump), 6 (grpc), 5 (net/http), 98 (not in the dump).
      child(10, 99),
      child(11, 6),
      child(12, 5),
      child(13, 6),
      child(14, 98),
    ].join("\n");
    const gr = new Grouper();
    for (const x of parseDump(text).goroutines) gr.add(x);
    const workers = [...gr.groups.values()].find((a) => a.count === 5)!;
    expect([...workers.parents]).toEqual([99, 6, 5, 98]);
    expect(gr.parentStarts(workers)).toEqual({
      missing: 2,
      handler: "google.golang.org/grpc.(*Server).handleStream",
    });
    const servers = [...gr.groups.values()].filter((a) => a !== workers);
    for (const a of servers) expect(gr.parentStarts(a)).toEqual({ missing: 1, handler: undefined });
  });
  for (const f of [
    "labeled/leakybank/leakybank-t0320s-debug2.txt",
    "generated/servers/caddy-2.11-t0-debug2.txt",
    "generated/go-versions/go1.26-spawnfarm-stack.txt",
  ]) {
    it(`match a plain recount on ${f}`, () => {
      const { goroutines } = parseDump(readFileSync(fixture(f), "utf8"));
      // Shuffle deterministically too, so runs of one state or parent are broken up.
      const shuffled = goroutines.map((g, i) => [(i * 7919) % 1009, g] as const).sort((a, b) => a[0] - b[0]);
      for (const order of [goroutines, shuffled.map(([, g]) => g)]) {
        const gr = new Grouper();
        for (const g of order) gr.add(g);
        // Recount by each goroutine's (signature, creator site), with plain maps and sets.
        const plain = new Map<string, { states: Map<string, number>; parents: Set<number>; count: number }>();
        for (const g of order) {
          const key = `${gr.sigs.text(gr.sigs.id(g))}#${gr.sites.id(g.createdBy)}`;
          let p = plain.get(key);
          if (!p) plain.set(key, (p = { states: new Map(), parents: new Set(), count: 0 }));
          p.count++;
          p.states.set(g.state, (p.states.get(g.state) ?? 0) + 1);
          if (g.createdBy?.parentId !== undefined && p.parents.size < 10_000)
            p.parents.add(g.createdBy.parentId);
        }
        expect(gr.groups.size).toBe(plain.size);
        for (const a of gr.groups.values()) {
          const p = plain.get(`${gr.sigs.text(a.sig)}#${a.site}`)!;
          expect(a.count).toBe(p.count);
          expect([...stateCounts(a)]).toEqual([...p.states]);
          expect([...a.parents].sort((x, y) => x - y)).toEqual([...p.parents].sort((x, y) => x - y));
        }
      }
    });
  }
});

describe("Grouper memory per group", () => {
  // Three kinds: two select loops (no wait object), one channel receiver (one), each goroutine twice.
  const text = [
    "goroutine 10 [select]:\nmain.a()\n\t/app/main.go:9 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:5 +0x1\n",
    "goroutine 11 [select]:\nmain.b()\n\t/app/main.go:19 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:6 +0x1\n",
    "goroutine 12 [chan receive]:\nruntime.chanrecv1(0xc000123456, 0x0)\n\t/usr/local/go/src/runtime/chan.go:489 +0x12\nmain.c(0xc000123456)\n\t/app/main.go:29 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:7 +0x1\n",
    "goroutine 13 [select]:\nmain.a()\n\t/app/main.go:9 +0x1\ncreated by main.main in goroutine 2\n\t/app/main.go:5 +0x1\n",
    "goroutine 14 [select]:\nmain.b()\n\t/app/main.go:19 +0x1\ncreated by main.main in goroutine 1\n\t/app/main.go:6 +0x1\n",
    "goroutine 15 [chan receive]:\nruntime.chanrecv1(0xc000654321, 0x0)\n\t/usr/local/go/src/runtime/chan.go:489 +0x12\nmain.c(0xc000654321)\n\t/app/main.go:29 +0x1\ncreated by main.main in goroutine 3\n\t/app/main.go:7 +0x1\n",
  ].join("\n");

  it("keeps its first goroutine's frames, not the goroutine", () => {
    const goroutines = parseDump(text).goroutines;
    const gr = new Grouper();
    for (const g of goroutines) gr.add(g);
    const groups = [...gr.groups.values()];
    expect(groups.map((a) => a.frames)).toEqual([
      goroutines[0]!.frames,
      goroutines[1]!.frames,
      goroutines[2]!.frames,
    ]);
    expect(groups.some((a) => "first" in a)).toBe(false);
  });

  it("shares one empty id set, and one empty object set among groups that found no object", () => {
    const gr = new Grouper();
    for (const g of parseDump(text).goroutines) gr.add(g);
    const [a, b, c] = [...gr.groups.values()];
    expect(a!.ids).toBe(b!.ids);
    expect(a!.ids).toBe(c!.ids);
    expect(a!.ids.size).toBe(0);
    expect(a!.objects).toBe(b!.objects);
    expect(a!.objects.size).toBe(0);
    // The channel receivers' group has its own set, holding what they wait on.
    expect(c!.objects).not.toBe(a!.objects);
    expect([...c!.objects]).toEqual(["0xc000123456", "0xc000654321"]);
    // The shared empty map of states stays empty: each group with two states has its own.
    expect(a!.states.size).toBe(0);
    // Kept ids (snapshots) are each group's own.
    const kept = new Grouper(10, true);
    for (const g of parseDump(text).goroutines) kept.add(g);
    expect([...kept.groups.values()].map((x) => [...x.ids])).toEqual([
      [10, 13],
      [11, 14],
      [12, 15],
    ]);
  });

  it("samples the first goroutines' ids, the first of them too", () => {
    for (const [samples, want] of [
      [0, [[], [], []]],
      [1, [[10], [11], [12]]],
      [
        10,
        [
          [10, 13],
          [11, 14],
          [12, 15],
        ],
      ],
    ] as const) {
      const gr = new Grouper(samples);
      for (const g of parseDump(text).goroutines) gr.add(g);
      expect([...gr.groups.values()].map((a) => a.samples)).toEqual(want);
    }
  });
});
