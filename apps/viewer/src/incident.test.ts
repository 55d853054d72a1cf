// The crash and race views read from real dumps: every crash file of the bundled go-versions set, the public race reports.
import { readFileSync } from "node:fs";
import { corpus, fixture, hasSharedCorpus, listFixtures } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import { buildReport, StackGrouper } from "@gosleuth/stacks";
import { describe, expect, it } from "vitest";
import { crashOf, type FirstGoroutines, isComplete, racesOf } from "./incident.ts";

function load(path: string) {
  const text = readFileSync(path, "utf8");
  const d = parseDump(text);
  const g: FirstGoroutines = { first: d.goroutines[0] ?? null, count: d.goroutines.length };
  return { text, d, g };
}

const crashes = listFixtures("generated/go-versions").filter((f) => f.includes("-crash-"));

describe("crashOf on the bundled crash dumps", () => {
  it("has crash files to read", () => {
    expect(crashes.length).toBeGreaterThanOrEqual(7 * 5);
  });

  it.each(crashes)("%s: the runtime's message and the goroutine it names", (rel) => {
    const { text, d, g } = load(fixture(rel));
    const crash = crashOf(d, g);
    expect(crash).not.toBeNull();
    // The first line the runtime printed is the first line of the message.
    const firstLine = text.split("\n").find((l) => /^(panic: |fatal error: |SIG[A-Z]+: )/.test(l))!;
    expect(crash!.message[0]).toBe(firstLine);
    if (rel.includes("deadlock")) {
      expect(crash!.kind).toBe("fatal");
      expect(crash!.goroutine).toBeNull();
      expect(isComplete(crash, g)).toBe(true);
    } else {
      // The goroutine block printed right after the message is the one that crashed.
      const after = text.slice(text.indexOf(firstLine));
      const named = Number(/^goroutine (\d+) (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[/m.exec(after)?.[1]);
      expect(crash!.goroutine).toBe(named);
    }
  });

  it("says a GOTRACEBACK=single panic is incomplete, and a crash=all one complete", () => {
    const single = load(fixture("generated/go-versions/go1.26-crash-nil.txt"));
    expect(single.g.count).toBe(1);
    expect(isComplete(crashOf(single.d, single.g), single.g)).toBe(false);
    const all = load(fixture("generated/go-versions/go1.26-crash-nil-gotraceback-crash.txt"));
    expect(all.g.count).toBeGreaterThan(1);
    expect(isComplete(crashOf(all.d, all.g), all.g)).toBe(true);
  });

  it("keeps nested panics in order with [recovered]", () => {
    const { d, g } = load(fixture("generated/go-versions/go1.26-crash-repanic.txt"));
    expect(crashOf(d, g)!.message).toEqual([
      "panic: ledger is inconsistent [recovered]",
      "\tpanic: settle failed: ledger is inconsistent",
    ]);
  });

  it("gives no crash for a runtime.Stack dump, and names the signal of a SIGQUIT dump", () => {
    const stack = load(fixture("generated/go-versions/go1.26-spawnfarm-stack.txt"));
    expect(crashOf(stack.d, stack.g)).toBeNull();
    expect(isComplete(null, stack.g)).toBe(true);
    const quit = load(fixture("generated/go-versions/go1.26-spawnfarm-sigquit-all.txt"));
    const c = crashOf(quit.d, quit.g)!;
    expect(c.kind).toBe("signal");
    // Both lines as the runtime printed them.
    const lines = readFileSync(
      fixture("generated/go-versions/go1.26-spawnfarm-sigquit-all.txt"),
      "utf8",
    ).split("\n");
    expect(c.message).toEqual([lines[0], lines[1]]);
    expect(c.message).toEqual(["SIGQUIT: quit", "PC=0x408b2e m=0 sigcode=0"]);
    // The thread took the signal in the scheduler: `goroutine 0 [idle]`, printed first, no goroutine running.
    expect(quit.d.goroutines.some((x) => x.state === "running")).toBe(false);
    expect(c.goroutine).toBe(0);
  });
});

const sigquits = listFixtures("generated/go-versions").filter((f) => f.includes("-sigquit-"));

describe("crashOf names the goroutine `stacks` names", () => {
  it("has signal dumps to read", () => {
    expect(sigquits.length).toBeGreaterThanOrEqual(7 * 2);
  });

  it.each([...sigquits, ...crashes])("%s", (rel) => {
    const { text, d, g } = load(fixture(rel));
    const grouper = new StackGrouper();
    grouper.add(d.goroutines);
    const stacks = buildReport(rel, grouper.result(), d).crash;
    const crash = crashOf(d, g);
    expect(stacks).not.toBeNull();
    expect(crash?.kind).toBe(stacks!.kind);
    expect(crash?.goroutine).toBe(stacks!.goroutine);
    // And it is the goroutine block the runtime printed right after its message (none for a deadlock).
    const named = /^goroutine (\d+) (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[/m.exec(text)?.[1];
    expect(crash?.goroutine).toBe(rel.includes("deadlock") ? null : Number(named));
  });
});

describe.skipIf(!hasSharedCorpus)("racesOf on the public race reports", () => {
  it.each([
    "public/panicparse-race-detector-report.txt",
    "public/index-race-interleaved-stdout.txt",
    "public/index-race-map-write-runtime-frame.txt",
  ])("%s: both accesses with their goroutines and locations", (rel) => {
    const { text, d } = load(corpus(rel));
    const races = racesOf(d.races);
    expect(races.length).toBeGreaterThan(0);
    const reports = text.match(/^WARNING: DATA RACE$/gm)!.length;
    expect(races.reduce((s, r) => s + r.count, 0)).toBe(reports);
    const r = races[0]!;
    expect(r.accesses).toHaveLength(2);
    // Checked against the text: each access's header line and its first frame's file:line.
    for (const a of r.accesses) {
      const who = a.goroutine === null ? "main goroutine" : `goroutine ${a.goroutine}`;
      const verb = `${a.previous ? "Previous " : ""}${a.kind === "read" ? (a.previous ? "read" : "Read") : a.previous ? "write" : "Write"}`;
      expect(text).toContain(`${verb} at ${a.address} by ${who}:`);
      expect(text).toContain(`${a.frames[0]!.file}:${a.frames[0]!.line}`);
    }
    for (const x of r.goroutines)
      expect(text).toMatch(new RegExp(`Goroutine ${x.id} \\(${x.status}\\) created at:`));
  });
});
