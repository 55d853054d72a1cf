// Stacks on real dumps: every crash gives the runtime's message and the goroutine the text names, race
// reports give their races, group counts add up on every file, and the similarity levels nest.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { corpus, fixture, hasSharedCorpus, listCorpus, listFixtures } from "@gosleuth/fixtures";
import { analyzeLeaks } from "@gosleuth/leaks";
import type { Goroutine } from "@gosleuth/model";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { StackGrouper } from "./grouper.ts";
import { loadDump, reportOf } from "./helpers.test-util.ts";
import { buildReport } from "./report.ts";

const generated = listFixtures("generated/go-versions").map((f) => fixture(f));
const crashes = generated.filter((f) => basename(f).includes("-crash-"));

/**
 * Goroutine headers in the text (anywhere on a line: one dump is glued to the prose before it), or the
 * sum of the `N @ …` record counts of a debug=1 profile (partial copies lack some of the total's records).
 */
function goroutinesInText(text: string): number {
  if (/^goroutine profile: total \d+/m.test(text)) {
    return [...text.matchAll(/^(\d+) @ /gm)].reduce((s, m) => s + Number(m[1]), 0);
  }
  return (text.match(/goroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[/g) ?? []).length;
}

describe("the crash first", () => {
  it("finds crash files to test", () => expect(crashes.length).toBeGreaterThanOrEqual(35));
  for (const f of crashes) {
    it(`gives the runtime's message and the crashed goroutine on ${basename(f)}`, () => {
      const text = readFileSync(f, "utf8");
      const r = reportOf(f);
      const c = r.crash;
      expect(c).not.toBeNull();
      // The message is the runtime's first line, word for word.
      const first = text.split("\n").find((l) => /^(panic|fatal error): /.test(l))!;
      expect(c!.message.split("\n")[0]).toBe(first);
      expect(c!.kind).toBe(first.startsWith("panic") ? "panic" : "fatal");
      // The goroutine the runtime printed first after its message is the one that crashed, except in
      // a deadlock, where every goroutine is blocked and none crashed.
      const named = Number(/^goroutine (\d+)/m.exec(text)![1]);
      if (first.includes("all goroutines are asleep")) {
        expect(c!.goroutine).toBeNull();
        expect(c!.deadlock).toBe(true);
      } else {
        expect(c!.goroutine).toBe(named);
        expect(c!.stack?.id).toBe(named);
      }
      if (/\[recovered\]/.test(text)) expect(c!.message).toMatch(/\[recovered\]\n\tpanic: /);
      if (/^\[signal /m.test(text)) expect(c!.message).toContain("[signal SIGSEGV");
    });
  }
  for (const f of generated.filter((x) => x.includes("sigquit"))) {
    it(`names the signal and the goroutine that took it on ${basename(f)}`, () => {
      const text = readFileSync(f, "utf8");
      const c = reportOf(f).crash!;
      expect(c.kind).toBe("signal");
      expect(c.message).toBe("SIGQUIT: quit");
      expect(c.goroutine).toBe(Number(/^goroutine (\d+)/m.exec(text)![1]));
      expect(c.signal?.m).toBe(/^PC=\S+ m=(\d+)/m.exec(text)![1]);
    });
  }
  it("has no crash on a debug=2 profile", () => {
    expect(reportOf(fixture("generated/servers/caddy-2.11-t0-debug2.txt")).crash).toBeNull();
  });
});

describe.skipIf(!hasSharedCorpus)("races (shared corpus)", () => {
  const cases: [string, [number | null, number | null], [string, string], number[]][] = [
    ["public/index-race-interleaved-stdout.txt", [8, 7], ["04.go:35", "04.go:27"], [8, 7]],
    ["public/panicparse-race-detector-report.txt", [8, 7], ["main.go:137", "main.go:132"], [8, 7]],
    // The older report says `by main goroutine`: no id to give.
    [
      "public/index-race-map-write-runtime-frame.txt",
      [7, null],
      ["map_faststr.go:202", "map_faststr.go:202"],
      [7],
    ],
  ];
  for (const [file, ids, where, created] of cases) {
    it(`lists the race with both accesses and their goroutines in ${file}`, () => {
      const r = reportOf(corpus(file));
      expect(r.races).toHaveLength(1);
      const race = r.races[0]!;
      expect(race.count).toBe(1);
      expect(race.accesses.map((a) => a.goroutine)).toEqual(ids);
      expect(race.accesses.map((a) => `${basename(a.frames[0]!.file)}:${a.frames[0]!.line}`)).toEqual(where);
      expect(race.accesses.map((a) => a.address)).toEqual([
        race.accesses[0]!.address,
        race.accesses[0]!.address,
      ]);
      expect(race.accesses[0]!.address).toMatch(/^0x[0-9a-f]+$/);
      expect(race.goroutines.map((g) => g.id)).toEqual(created);
      for (const g of race.goroutines) expect(g.createdAt.length).toBeGreaterThan(0);
    });
  }
  it("folds identical races into one with a count", () => {
    const d = loadDump(corpus("public/index-race-interleaved-stdout.txt"));
    const twice = { ...d, races: [...d.races, ...d.races] };
    const g = new StackGrouper();
    const r = buildReport("x", g.result(), twice);
    expect(r.races).toHaveLength(1);
    expect(r.races[0]!.count).toBe(2);
  });
});

const everyFile = [...listFixtures("generated/go-versions"), ...listFixtures("generated/servers")].map((f) =>
  fixture(f),
);
const publicFiles = listCorpus("public");

describe("counts add up", () => {
  for (const f of [...everyFile, ...publicFiles]) {
    it(`on ${basename(f)}`, () => {
      const dump = loadDump(f);
      const r = reportOf(f, {}, dump);
      const inDump = dump.goroutines.length + dump.groups.reduce((s, g) => s + g.count, 0);
      expect(r.groups.reduce((s, g) => s + g.count, 0)).toBe(r.total);
      expect(r.total).toBe(inDump);
      expect(r.groups.reduce((s, g) => s + g.ids.length, 0)).toBe(dump.goroutines.length);
      if (!f.endsWith(".gz")) {
        const text = readFileSync(f, "utf8");
        if (dump.format !== "race") expect(r.total).toBe(goroutinesInText(text));
      }
    });
  }
});

describe("similarity levels", () => {
  for (const f of [...everyFile, ...publicFiles]) {
    it(`nest on ${basename(f)}: every exact group lies in one pointers group, every pointers group in one any group`, () => {
      const dump = loadDump(f);
      const [exact, pointers, any] = (["exact", "pointers", "any"] as const).map((similarity) =>
        reportOf(f, { similarity }, dump),
      );
      expect(exact!.groups.length).toBeGreaterThanOrEqual(pointers!.groups.length);
      expect(pointers!.groups.length).toBeGreaterThanOrEqual(any!.groups.length);
      const groupOf = (r: typeof any) => {
        const m = new Map<number, number>();
        r!.groups.forEach((g, i) => {
          for (const id of g.ids) m.set(id, i);
        });
        return m;
      };
      for (const [fine, coarse] of [
        [exact, pointers],
        [pointers, any],
      ] as const) {
        const of = groupOf(coarse);
        for (const g of fine!.groups)
          expect(new Set(g.ids.map((id) => of.get(id))).size).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe("real servers collapse", () => {
  it("groups the busy Caddy dump (2,711 goroutines) into well under 100 groups by default", () => {
    const r = reportOf(fixture("generated/servers/caddy-2.11-t0-debug2.txt"));
    expect(r.total).toBe(2711);
    expect(r.groups.length).toBeLessThan(100);
    // Pointers differ between the 1,500 idle keep-alive connections; they are still one group.
    expect(r.groups[0]!.count).toBe(1500);
  });
  it("agrees with leaks' grouping at similarity any (signature and creator site)", () => {
    for (const f of [
      "generated/servers/caddy-2.11-t0-debug2.txt",
      "generated/go-versions/go1.26-spawnfarm-stack.txt",
    ]) {
      const dump = loadDump(fixture(f));
      const leaks = analyzeLeaks(dump);
      const mine = reportOf(fixture(f), { similarity: "any" }, dump);
      const counts = (xs: { key: string; count: number }[]) => new Map(xs.map((x) => [x.key, x.count]));
      const ours = counts(
        mine.groups.map((g) => ({ key: g.key.slice(0, g.key.lastIndexOf("\n#")), count: g.count })),
      );
      expect(ours).toEqual(counts(leaks.findings));
    }
  });
});

/**
 * At `exact`: the groups of one pass over `goroutines`, and those of a grouper that took the goroutines
 * before `at` itself and then merged the partial of the rest (`part`, as it was sent).
 */
function firstInPlaceThenMerged(goroutines: readonly Goroutine[], at: number) {
  const opts = { similarity: "exact" as const };
  const g1 = new StackGrouper(opts);
  g1.add(goroutines);
  const one = g1.result({ keys: true });
  const into = new StackGrouper(opts);
  into.add(goroutines.slice(0, at));
  const later = new StackGrouper(opts);
  later.add(goroutines.slice(at));
  const part = later.partial();
  into.merge(structuredClone(part));
  return { one, merged: into.result({ keys: true }), part };
}

describe("threads", () => {
  it("merging per-range partials gives the one-pass groups", () => {
    const f = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
    const dump = loadDump(f);
    const one = reportOf(f, {}, dump);
    const parts = [0, 700, 1400, 2711].slice(1).map((end, i, ends) => {
      const g = new StackGrouper();
      g.add(dump.goroutines.slice(i === 0 ? 0 : ends[i - 1], end));
      return g.partial();
    });
    const into = new StackGrouper();
    for (const p of parts) into.merge(structuredClone(p));
    const merged = buildReport(basename(f), into.result({ keys: true }), dump);
    const shape = (r: typeof one) =>
      r.groups.map((g) => [
        g.key,
        g.count,
        g.ids,
        g.states,
        g.waitMax,
        g.parents.length,
        g.frames.map((x) => [x.args.all, [...x.args.differ].sort()]),
      ]);
    expect(shape(merged)).toEqual(shape(one));
  });

  it("a part sends a stack's locations once for all its argument variants, and they merge as one pass groups them", () => {
    const f = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
    const { one, merged, part: p } = firstInPlaceThenMerged(loadDump(f).goroutines, 900);
    // Busy servers' stacks have many argument variants at `exact`: far fewer stacks travel than groups.
    expect(p.stacks.length).toBeLessThan(p.groups.length / 2);
    const shape = (r: typeof one) =>
      r.groups.map((g) => [
        g.key,
        g.count,
        g.ids,
        g.frames.map((x) => [x.function, x.file, x.line, x.inlined]),
      ]);
    expect(shape(merged)).toEqual(shape(one));
  });

  it("a first part grouped in place, then later parts merged, gives the one-pass groups past the variant bound", () => {
    // Hand-written: 300 goroutines on one stack whose pointer arguments all differ, so at `exact` the
    // variants past the bound (256) fold into one group, in the first part and in the merged one alike.
    let text = "";
    for (let i = 0; i < 300; i++) {
      text += `goroutine ${i + 2} [chan receive]:\nmain.worker(0x${(0xc000010000 + i * 16).toString(16)})\n\t/x/main.go:10 +0x1d\ncreated by main.main in goroutine 1\n\t/x/main.go:5 +0x2a\n\n`;
    }
    const { one, merged } = firstInPlaceThenMerged(parseDump(text).goroutines, 280);
    const shape = (r: typeof one) => r.groups.map((g) => [g.key, g.count, g.ids]);
    expect(one.groups).toHaveLength(257);
    expect(shape(merged)).toEqual(shape(one));
  });
});
