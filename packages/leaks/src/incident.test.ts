// Incidents against the answer keys of the labelled programs (leakybank, stuckcall, abba), healthy servers and the runtime's own deadlock verdicts.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { corpus, fixture, hasSharedCorpus, listCorpus, listFixtures } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { analyzeLeaks } from "./analyze.ts";
import type { Finding, LeakReport } from "./finding.ts";
import { lockstepRatio } from "./incident.ts";
import { findInversions, findInversionsIn, type Inversion, type LockWait } from "./lock-order.ts";
import { LockWaits } from "./lock-waits.ts";
import { renderMarkdown, renderText } from "./report.ts";
import { toSarif } from "./sarif.ts";
import { resolveSettings, validateSettings } from "./settings.ts";
import { analyzeSnapshots } from "./snapshots.ts";

interface TruthGroup {
  functions: string[];
  line?: number;
}
interface TruthIncident {
  name: string;
  kind: string;
  rootCause: { function: string; file: string; line: number };
  groups: TruthGroup[];
}
interface Truth {
  incidents: TruthIncident[];
  healthy: { name: string; functions: string[] }[];
}

const text = (rel: string) => {
  const b = readFileSync(fixture(rel));
  return rel.endsWith(".gz") ? gunzipSync(b).toString("utf8") : b.toString("utf8");
};
const truthOf = (name: string) =>
  JSON.parse(readFileSync(fixture(`labeled/${name}/truth.json`), "utf8")) as Truth;
const dumpsOf = (name: string) =>
  listFixtures(`labeled/${name}`)
    .filter((f) => f.includes("-debug2."))
    .map((f) => ({ name: f, dump: parseDump(text(f)) }));

/** A report per dump, then one of them all as a series (named "series"). */
const reportsOf = (dumps: ReturnType<typeof dumpsOf>) => [
  ...dumps.map((d) => ({ name: d.name, report: analyzeLeaks(d.dump) })),
  { name: "series", report: analyzeSnapshots(dumps.map((d) => ({ goroutines: d.dump.goroutines }))) },
];

/** Every function of the group on the finding's stack, and its blocking line when the key gives one. */
const isGroup = (f: Finding, g: TruthGroup) =>
  g.functions.every((fn) => f.signature.includes(`\n${fn} `) || f.startFunction === fn) &&
  (g.line === undefined || f.blockingFrame?.line === g.line);
const isHealthy = (f: Finding, fns: string[]) =>
  fns.includes(f.startFunction) || (f.blockingFrame !== null && fns.includes(f.blockingFrame.function));

/** The invariant of the JSON: every finding of severity low or above is in exactly one incident. */
function expectPartition(r: LeakReport) {
  const seen = new Map<number, number>();
  for (const x of r.incidents) for (const i of x.findings) seen.set(i, (seen.get(i) ?? 0) + 1);
  for (const [i, c] of seen) expect(c, `finding ${i} in ${c} incidents`).toBe(1);
  r.findings.forEach((f, i) => {
    if (f.severity !== "info") expect(seen.has(i), `${f.startFunction} [${f.state}]`).toBe(true);
  });
}

/** The one incident holding all the key's groups: asserts it exists and holds nothing healthy. */
function expectIncident(r: LeakReport, t: TruthIncident, healthy: Truth["healthy"]) {
  const holding = r.incidents.filter((x) =>
    t.groups.some((g) => x.findings.some((i) => isGroup(r.findings[i]!, g))),
  );
  expect(
    holding.map((x) => x.title),
    t.name,
  ).toHaveLength(1);
  const inc = holding[0]!;
  for (const g of t.groups)
    expect(
      inc.findings.some((i) => isGroup(r.findings[i]!, g)),
      `${t.name}: ${g.functions.join(" + ")}${g.line ? `:${g.line}` : ""}`,
    ).toBe(true);
  for (const i of inc.findings) {
    const f = r.findings[i]!;
    for (const h of healthy) expect(isHealthy(f, h.functions), `${h.name} joined ${t.name}`).toBe(false);
  }
  return inc;
}

/**
 * The report against the whole key: the partition holds, each key incident is one high incident with exactly
 * its groups and root cause, and there are no other high incidents. Gives the incidents in the key's order.
 */
function expectTruth(r: LeakReport, truth: Truth) {
  expectPartition(r);
  const found = truth.incidents.map((t) => {
    const inc = expectIncident(r, t, truth.healthy);
    expect(inc.severity, t.name).toBe("high");
    expect(inc.findings, t.name).toHaveLength(t.groups.length);
    expect(inc.rootCause, t.name).toEqual(t.rootCause);
    return inc;
  });
  expect(r.incidents.filter((x) => x.severity === "high")).toHaveLength(truth.incidents.length);
  return found;
}

describe("leakybank: each planted leak is exactly one high incident", () => {
  const truth = truthOf("leakybank");
  const dumps = dumpsOf("leakybank");
  const reports = reportsOf(dumps);
  it.each(reports)("$name", ({ report }) => {
    expectTruth(report, truth);
  });
});

describe("stuckcall: the stuck calls are one incident with caller, transport loops and peer", () => {
  const truth = truthOf("stuckcall");
  const dumps = dumpsOf("stuckcall");
  const reports = reportsOf(dumps);
  it.each(reports)("$name", ({ report }) => {
    expectPartition(report);
    const t = truth.incidents[0]!;
    const inc = expectIncident(report, t, truth.healthy);
    expect(inc.kind).toBe("stuck outbound call");
    expect(inc.rootCause).toEqual(t.rootCause);
    expect(inc.title).toMatch(
      /^outbound call(s in flight| without timeout): [\d,]+ requests (stuck )?waiting for the peer, each holding two transport goroutines$/,
    );
    // The transport loops are known-benign alone, not inside this incident.
    for (const i of inc.findings) expect(report.findings[i]!.benign).toBe(false);
  });
  it("text and Markdown print the transport loops as members of the incident, not as info lines", () => {
    const r = analyzeLeaks(dumps[dumps.length - 1]!.dump);
    const inc = r.incidents[0]!;
    const loops = inc.findings.filter((i) => r.findings[i]!.benignAlone);
    // readLoop and writeLoop: known-benign alone, kept as such in findings[] with their own severity.
    expect(loops.map((i) => r.findings[i]!.startFunction).sort()).toEqual([
      "net/http.(*persistConn).readLoop",
      "net/http.(*persistConn).writeLoop",
    ]);
    for (const i of loops) {
      expect(r.findings[i]!.severity).toBe("info");
      expect(r.findings[i]!.benign).toBe(false);
      expect(r.findings[i]!.incident).toBe(inc.id);
    }
    const txt = renderText(r);
    const members = txt.split("\n").filter((l) => l.startsWith("   · "));
    expect(members).toHaveLength(4);
    for (const l of members) expect(l.startsWith(`   · ${inc.severity} `), l).toBe(true);
    expect(members.filter((l) => l.endsWith(" (known-benign on its own, not here)"))).toHaveLength(2);
    // Not again as a finding of their own, even with every info group shown.
    const all = renderText(r, { all: true });
    for (const loop of ["readLoop", "writeLoop"])
      expect(
        all.split("\n").filter((l) => l.includes(`(*persistConn).${loop} [`)),
        loop,
      ).toHaveLength(1);
    const md = renderMarkdown(r);
    expect(md.match(/^\| \w+ \(known-benign on its own\) \|/gm)).toHaveLength(2);
    expect(md).not.toMatch(/^\| info /m);
  });
  it("as a series the incident is high and its groups grew in lockstep", () => {
    const r = reports[reports.length - 1]!.report;
    const inc = r.incidents[0]!;
    expect(inc.severity).toBe("high");
    expect(inc.kind).toBe("stuck outbound call");
    expect(inc.title).toBe(
      "outbound call without timeout: 747 requests stuck waiting for the peer, each holding two transport goroutines",
    );
    expect(inc.reasons.some((w) => w.startsWith("grew in lockstep: "))).toBe(true);
  });
});

describe("abba: the lock-order inversion is one incident named as such", () => {
  const truth = truthOf("abba");
  const dumps = dumpsOf("abba");
  const reports = reportsOf(dumps);
  it.each(reports)("$name", ({ report }) => {
    expectPartition(report);
    const t = truth.incidents[0]!;
    const inc = expectIncident(report, t, truth.healthy);
    expect(inc.kind).toBe("lock-order inversion");
    expect(inc.severity).toBe("high");
    expect(inc.title).toMatch(
      /^lock-order inversion: `\(\*inventory\)\.(reserve|settle)` and `\(\*inventory\)\.(reserve|settle)` take the same locks in opposite order \(4 goroutines deadlocked/,
    );
    const why = inc.reasons.find((w) => w.startsWith("lock-order inversion suspected: "));
    expect(why).toContain("`(*inventory).reserve` waits at main.go:31 holding the lock it took at :29");
    expect(why).toContain("`(*inventory).settle` waits at main.go:43 holding the lock it took at :41");
    expect(why).toMatch(/; 2 \+ 2 goroutines deadlocked, [\d,]+ queued behind$/);
    // Where a deadlocked goroutine waits: the second Lock line of one of the two functions.
    expect([
      ["main.(*inventory).reserve", 31],
      ["main.(*inventory).settle", 43],
    ]).toContainEqual([inc.rootCause?.function, inc.rootCause?.line]);
    expect(report.incidents.filter((x) => x.severity === "high")).toHaveLength(1);
  });
  it("SARIF: one result for the inversion, at its root cause, its groups as related locations", () => {
    const r = reports[reports.length - 1]!.report;
    const log = toSarif(r, { pathMap: [{ from: "abba/", to: "packages/fixtures/programs/abba/" }] });
    const errors = log.runs[0]!.results!.filter((x) => x.level === "error");
    expect(errors).toHaveLength(1);
    const loc = errors[0]!.locations![0]!.physicalLocation!;
    expect(loc.artifactLocation!.uri).toBe("packages/fixtures/programs/abba/main.go");
    expect(loc.region!.startLine).toBe(r.incidents[0]!.rootCause!.line);
    expect(errors[0]!.relatedLocations).toHaveLength(5);
    expect(errors[0]!.message.text).toMatch(/^lock-order inversion: /);
  });
  it("the queue behind the deadlock is every goroutine at a first Lock line and the restocker", () => {
    const r = reports[reports.length - 1]!.report;
    const queued = r.findings
      .filter((f) => f.stateClass === "mutex" && f.blockingFrame?.line !== 31 && f.blockingFrame?.line !== 43)
      .reduce((s, f) => s + f.count, 0);
    expect(r.incidents[0]!.reasons[0]).toContain(`${queued.toLocaleString("en-US")} queued behind`);
  });
});

describe("relay: a channel cycle and a WaitGroup that never reaches zero, each one incident named as such", () => {
  const truth = truthOf("relay");
  const dumps = dumpsOf("relay");
  const reports = reportsOf(dumps);
  it.each(reports)("$name", ({ report }) => {
    expectTruth(report, truth).forEach((inc, k) => {
      const t = truth.incidents[k]!;
      expect(inc.kind, t.name).toBe(t.kind);
    });
    // The healthy groups are in no incident with another group.
    for (const h of truth.healthy)
      for (const x of report.incidents)
        if (x.findings.some((i) => isHealthy(report.findings[i]!, h.functions)))
          expect(x.findings, `${h.name}: ${x.title}`).toHaveLength(1);
  });
  it("names the cycle: who waits on which channel that only the other holds", () => {
    const r = analyzeLeaks(dumps[dumps.length - 1]!.dump);
    const inc = r.incidents.find((x) => x.kind === "channel cycle")!;
    expect(inc.title).toBe(
      "channel cycle suspected: 532 × `feeder` and 266 × `pricer` wait on each other's channels (266 cycles, no other goroutine holds their channels)",
    );
    expect(inc.reasons[0]).toMatch(
      /^channel cycle suspected: `pricer` waits at main\.go:46 on chan 0x[0-9a-f]+ that only `feeder` goroutines hold, which wait at main\.go:34 on chan 0x[0-9a-f]+ that only `pricer` holds; 266 cycles, 532 \+ 266 goroutines \(the dump does not print which channel/,
    );
  });
  it("names the WaitGroup: no live goroutine could call Done", () => {
    const r = analyzeLeaks(dumps[dumps.length - 1]!.dump);
    const inc = r.incidents.find((x) => x.kind === "stuck WaitGroup")!;
    expect(inc.title).toBe(
      "WaitGroup that can never reach zero: 131 goroutines in `collect` wait on 131 WaitGroups that no live goroutine could call Done on",
    );
  });
  it("as a series the feeders and the pricer also grew in lockstep, two for one", () => {
    const r = reports[reports.length - 1]!.report;
    const inc = r.incidents.find((x) => x.kind === "channel cycle")!;
    expect(inc.reasons).toContain(
      "grew in lockstep at 2 : 1 (2 of `feeder` for each `pricer`, started together): 116 → 212 → 322 → 414 → 532 and 58 → 106 → 161 → 207 → 266",
    );
  });
  it("under GOTRACEBACK=system the runtime's chansend prints each channel waited on: the same two incidents", () => {
    const r = analyzeLeaks(parseDump(text("labeled/relay/relay-sigquit-gotraceback-system.txt.gz")));
    expectPartition(r);
    const high = r.incidents.filter((x) => x.severity === "high");
    expect(high.map((x) => [x.kind, x.count, x.rootCause])).toEqual([
      ["channel cycle", 150, truth.incidents[0]!.rootCause],
      ["stuck WaitGroup", 19, truth.incidents[1]!.rootCause],
    ]);
    // Exact: no word about inferring the channel from the frame's arguments.
    expect(high[0]!.reasons[0]).toMatch(
      /^channel cycle suspected: `pricer` waits at main\.go:46 on chan 0x[0-9a-f]+ that only `feeder` goroutines hold, which wait at main\.go:34 on chan 0x[0-9a-f]+ that only `pricer` holds; 50 cycles, 100 \+ 50 goroutines$/,
    );
  });
  it("past incidents.maxChannelWaits the searches find less, never more, and say so", () => {
    const d = dumps[dumps.length - 1]!.dump;
    const full = analyzeLeaks(d);
    const few = analyzeLeaks(d, { incidents: { maxChannelWaits: 100 } });
    expectPartition(few);
    const found = few.incidents.filter((x) => x.kind === "channel cycle" || x.kind === "stuck WaitGroup");
    expect(found.length).toBeGreaterThan(0);
    for (const x of found) {
      expect(x.reasons[0]).toContain("(counted among the first waiters only");
      const same = full.incidents.find((y) => y.kind === x.kind)!;
      expect(Number(/(\d+) (cycles|goroutines in)/.exec(x.reasons[0]!)![1])).toBeLessThan(
        Number(/(\d+) (cycles|goroutines in)/.exec(same.reasons[0]!)![1]),
      );
    }
  });
  it("a dump cut short says nothing about the WaitGroup (a goroutine not printed could call Done)", () => {
    const whole = text("labeled/relay/relay-t0150s-debug2.txt.gz");
    // The last goroutine block cut in half: the parser marks the dump truncated.
    const cut = parseDump(whole.slice(0, whole.lastIndexOf("\ngoroutine ") + 40));
    expect(cut.truncated).toBeDefined();
    const r = analyzeLeaks(cut);
    expect(r.incidents.some((x) => x.kind === "stuck WaitGroup")).toBe(false);
    expect(
      analyzeLeaks({ ...cut, truncated: undefined }).incidents.some((x) => x.kind === "stuck WaitGroup"),
    ).toBe(true);
  });
});

describe("lockstepRatio", () => {
  it("finds equal and proportional growth, and nothing else", () => {
    expect(lockstepRatio([0, 10, 20, 30], [0, 10, 20, 30], 0.05)).toEqual([1, 1]);
    expect(lockstepRatio([0, 20, 40, 60], [0, 10, 20, 30], 0.05)).toEqual([2, 1]);
    expect(lockstepRatio([0, 10, 20, 30], [0, 30, 60, 90], 0.05)).toEqual([1, 3]);
    expect(lockstepRatio([0, 10, 20, 30], [0, 17, 60, 90], 0.05)).toBeUndefined();
    expect(lockstepRatio([0, 10, 10, 10], [0, 20, 20, 20], 0.05)).toBeUndefined();
  });
});

describe("healthy servers", () => {
  it.each(["generated/servers/caddy-2.11-t0-debug2.txt", "generated/servers/caddy-2.11-idle-debug2.txt"])(
    "%s gives no high incident",
    (rel) => {
      const r = analyzeLeaks(parseDump(text(rel)));
      expectPartition(r);
      expect(r.incidents.filter((x) => x.severity === "high").map((x) => x.title)).toEqual([]);
    },
  );
});

describe("the runtime's verdict: all goroutines are asleep", () => {
  const bundled = listFixtures("generated/go-versions").filter((f) => f.endsWith("-crash-deadlock.txt"));
  it.each(bundled)("%s is one high deadlock incident", (rel) => {
    const d = parseDump(text(rel));
    expect(d.preamble.fatal.join(" ")).toContain("all goroutines are asleep");
    const r = analyzeLeaks(d);
    expectPartition(r);
    const high = r.incidents.filter((x) => x.severity === "high");
    expect(high).toHaveLength(1);
    // A channel cycle and one held mutex: a deadlock, not a lock-order inversion.
    expect(high[0]!.kind).toBe("deadlock");
    expect(high[0]!.reasons).toContain("the runtime says: all goroutines are asleep - deadlock!");
    expect(high[0]!.rootCause?.function.startsWith("main.")).toBe(true);
  });

  const real = listCorpus("public").filter((f) =>
    readFileSync(f, "latin1").includes("all goroutines are asleep"),
  );
  it.skipIf(!hasSharedCorpus || real.length === 0).each(real)("%s is one high incident", (file) => {
    const r = analyzeLeaks(parseDump(readFileSync(file, "utf8")));
    const high = r.incidents.filter((x) => x.severity === "high");
    expect(high).toHaveLength(1);
    expect(high[0]!.title).toMatch(/^deadlock reported by the runtime: all goroutines are asleep/);
  });
  it.skipIf(!hasSharedCorpus)("the corpus holds the Windows deadlock dump", () => {
    expect(real).toContain(corpus("public/index-fakegosqldriver-deadlock-rwmutex-trimpath.txt"));
  });
});

/**
 * The lock-order search as it was written over objects before findInversionsIn read columns: the
 * reference the column search is checked against.
 */
function referenceInversions(waits: readonly LockWait[]): Inversion | undefined {
  if (waits.length < 2) return undefined;
  const byFn = new Map<string, LockWait[]>();
  for (const w of waits) {
    let l = byFn.get(w.fn);
    if (!l) byFn.set(w.fn, (l = []));
    l.push(w);
  }
  const held = new Map<LockWait, string[]>();
  const heldLine = new Map<string, number>();
  for (const [fn, list] of byFn) {
    const first = Math.min(...list.map((w) => w.line));
    // The argument position the first Lock line locks, by majority of the goroutines waiting there.
    const votes = new Map<number, number>();
    for (const w of list) {
      if (w.line !== first) continue;
      const p = w.args.indexOf(w.wait);
      if (p >= 0) votes.set(p, (votes.get(p) ?? 0) + 1);
    }
    let pos = -1;
    let best = 0;
    for (const [p, c] of votes) if (c > best) [pos, best] = [p, c];
    if (pos >= 0) heldLine.set(fn, first);
    for (const w of list) {
      // Goroutines at the first Lock line seen in their function are taken to hold nothing yet.
      if (w.line === first) continue;
      if (pos >= 0) {
        if (w.args[pos] !== undefined && w.args[pos] !== w.wait) held.set(w, [w.args[pos]!]);
      } else {
        const h = w.args.filter((a) => a !== w.wait);
        if (h.length > 0) held.set(w, h);
      }
    }
  }
  const holders = new Map<string, LockWait[]>();
  for (const [w, hs] of held)
    for (const h of hs) {
      let l = holders.get(h);
      if (!l) holders.set(h, (l = []));
      l.push(w);
    }
  // Following "waits on a lock held by" from a goroutine that holds a lock: when the chain comes back on
  // itself, every goroutine on it waits forever while holding its lock (the cycle, and the ones holding a
  // lock while waiting on the cycle).
  const dead = new Set<LockWait>();
  for (const w of held.keys()) {
    if (dead.has(w)) continue;
    const path: LockWait[] = [w];
    const seen = new Set<LockWait>([w]);
    let cur = w;
    for (let step = 0; step < 64; step++) {
      const next = (holders.get(cur.wait) ?? []).find((x) => x !== cur);
      if (!next) break;
      if (seen.has(next) || dead.has(next)) {
        for (const x of path) dead.add(x);
        break;
      }
      seen.add(next);
      path.push(next);
      cur = next;
    }
  }
  if (dead.size === 0) return undefined;
  const locks = new Set<string>();
  for (const d of dead) for (const h of held.get(d) ?? []) locks.add(h);
  const groupOf = (w: LockWait) => `${w.sig}:${w.site}`;
  const dGroups = new Map<string, Inversion["deadlocked"][number]>();
  for (const d of dead) {
    const k = groupOf(d);
    const g = dGroups.get(k);
    if (g) g.count++;
    else {
      const hl = heldLine.get(d.fn);
      dGroups.set(k, {
        sig: d.sig,
        site: d.site,
        fn: d.fn,
        file: d.file,
        line: d.line,
        ...(hl !== undefined ? { heldLine: hl } : {}),
        count: 1,
      });
    }
  }
  const qGroups = new Map<string, Inversion["queued"][number]>();
  let queuedCount = 0;
  for (const w of waits) {
    if (dead.has(w) || !locks.has(w.wait)) continue;
    queuedCount++;
    const k = groupOf(w);
    const g = qGroups.get(k);
    if (g) g.count++;
    else qGroups.set(k, { sig: w.sig, site: w.site, count: 1 });
  }
  const deadlocked = [...dGroups.values()].sort((a, b) => b.count - a.count || (a.fn < b.fn ? -1 : 1));
  return {
    deadlocked,
    queued: [...qGroups.values()],
    deadlockedCount: dead.size,
    queuedCount,
    locks: locks.size,
  };
}

describe("findInversions", () => {
  // Built inline: one function taking (a, b) in order, called as (x, y) and (y, x); a third goroutine
  // queued on x at the first line.
  const w = (line: number, wait: string, args: string[]): LockWait => ({
    sig: line,
    site: 0,
    fn: "main.transfer",
    file: "main.go",
    line,
    wait,
    args,
  });
  it("finds the cycle and the queue behind it", () => {
    const v = findInversions([
      w(10, "0xc000001000", ["0xc000001000", "0xc000002000"]),
      w(11, "0xc000002000", ["0xc000001000", "0xc000002000"]),
      w(11, "0xc000001000", ["0xc000002000", "0xc000001000"]),
    ]);
    expect(v?.deadlockedCount).toBe(2);
    expect(v?.queuedCount).toBe(1);
    expect(v?.deadlocked[0]).toMatchObject({ fn: "main.transfer", line: 11, heldLine: 10, count: 2 });
  });
  it("finds what the search over objects found, over columns with pointers numbered by LockWaits", () => {
    // Random waits shaped like transfer(a, b): Lock(a) at line 10, then Lock(b) at line 11 holding a, with
    // some waits off that shape; few pointers, so cycles and queues come up, some of them pointers only a
    // table holds (leading zeros, more digits than a double keeps).
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pool = ["0xc000001000", "0x00c000002000", "0xfffffffffffff0", "0xc000004000"];
    let found = 0;
    for (let round = 0; round < 200; round++) {
      const waits: LockWait[] = [];
      const table = new LockWaits();
      for (let i = 0, n = 2 + rand(10); i < n; i++) {
        const fn = `main.f${rand(4) === 0 ? 1 : 0}`;
        const line = 10 + rand(2) + (rand(6) === 0 ? 1 : 0);
        const a = pool[rand(pool.length)]!;
        const b = pool[rand(pool.length)]!;
        const args = rand(8) === 0 ? [a] : [a, b];
        const wait = rand(8) === 0 ? pool[rand(pool.length)]! : line === 10 ? a : (args[1] ?? a);
        const sig = rand(3);
        const w: LockWait = { sig, site: sig % 2, fn, file: `${fn}.go`, line, wait, args };
        waits.push(w);
        table.push(w.sig, w.site, table.frameId(fn, w.file, line), w);
      }
      const v = referenceInversions(waits);
      expect(findInversionsIn(table.partial())).toEqual(v);
      expect(findInversions(waits)).toEqual(v);
      if (v) found++;
    }
    expect(found).toBeGreaterThan(10);
  });
  it("finds nothing when the waits form no cycle", () => {
    expect(
      findInversions([
        w(10, "0xc000001000", ["0xc000001000", "0xc000002000"]),
        w(11, "0xc000002000", ["0xc000001000", "0xc000002000"]),
        w(11, "0xc000003000", ["0xc000004000", "0xc000003000"]),
      ]),
    ).toBeUndefined();
  });
});

describe("incident settings", () => {
  it("are validated like the others", () => {
    expect(validateSettings({ incidents: { countTolerance: 2 } })).toEqual([
      "`incidents.countTolerance` must be a fraction between 0 and 1, got 2",
    ]);
    expect(validateSettings({ incidents: { minLockstepCount: 2.5 } })).toEqual([
      "`incidents.minLockstepCount` must be a non-negative integer, got 2.5",
    ]);
    expect(resolveSettings({ incidents: { minLockstepCount: 3 } }).incidents.countTolerance).toBe(0.05);
  });
});
