// `lossless: false` (the CLI's summary, tree, leaks, stacks): past the first 10,000 lines that can only be
// diagnostics, lines outside goroutine blocks are a placeholder; everything else in the model is the same.
import { readFileSync } from "node:fs";
import { corpus, fixture, hasSharedCorpus, listCorpus, listFixtures } from "@gosleuth/fixtures";
import type { Dump, DumpInfo } from "@gosleuth/model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundaries, parseInFragments } from "../test/fragments-util.ts";
import { OMITTED_LINE, parseDump } from "./index.ts";

const RUNS = Number(process.env.GOSLEUTH_FUZZ_RUNS ?? 150);

/** Lines of a service's own log (none of them the runtime's). */
function log(n: number, from = 0): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i++)
    out.push(
      `2026-12-03T10:00:${String(i % 60).padStart(2, "0")}Z INFO http: request handled path=/items/${i} status=200`,
    );
  return out.join("\n");
}

/** `b`'s lines are `a`'s, or the placeholder where `a` had a line; returns how many are placeholders. */
function omittedIn(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  expect(b?.length).toBe(a?.length);
  let n = 0;
  for (let i = 0; i < (a?.length ?? 0); i++) {
    if (b![i] === a![i]) continue;
    expect(b![i]).toBe(OMITTED_LINE);
    n++;
  }
  return n;
}

/** Everything but the raw lines outside blocks and what says how many were left out. */
function read(d: DumpInfo & Partial<Pick<Dump, "goroutines">>) {
  const { omittedLines, ...rest } = d;
  return {
    ...rest,
    preamble: { ...d.preamble, lines: d.preamble.lines.length },
    trailer: d.trailer.length,
    goroutines: d.goroutines?.map(({ leading, ...g }) => ({ ...g, leading: leading?.length })),
    // The warning that counts the unlisted diagnostics also says what was not kept.
    diagnostics: d.diagnostics.map((x) => ({
      ...x,
      message: x.message.replace(/ \(the raw text is .*\)$/, ""),
    })),
  };
}

/** Parses `text` both ways: the same model but for placeholders; returns how many lines were left out. */
function compare(text: string, pieceSize?: number): number {
  const a = parseDump(text, { pieceSize });
  const b = parseDump(text, { pieceSize, lossless: false });
  expect(read(b)).toEqual(read(a));
  let n = omittedIn(a.preamble.lines, b.preamble.lines) + omittedIn(a.trailer, b.trailer);
  for (let i = 0; i < a.goroutines.length; i++)
    n += omittedIn(a.goroutines[i]!.leading, b.goroutines[i]!.leading);
  expect(b.omittedLines ?? 0).toBe(n);
  // The warning that counts unlisted diagnostics (others may come after it: a cut dump's, races').
  if (n > 0)
    expect(
      b.diagnostics.some((x) =>
        x.message.includes(
          `not listed (the raw text is kept but for ${n.toLocaleString("en-US")} lines of text left out`,
        ),
      ),
    ).toBe(true);
  return n;
}

const crash = readFileSync(fixture("generated/go-versions/go1.22-crash-nil-gotraceback-crash.txt"), "utf8");
const sigquit = readFileSync(fixture("generated/go-versions/go1.22-spawnfarm-sigquit-all.txt"), "utf8");
const RACE = [
  "==================",
  "WARNING: DATA RACE",
  "Write at 0x00c000012345 by goroutine 7:",
  "  main.worker()",
  "      /src/app/main.go:21 +0x44",
  "",
  "Previous read at 0x00c000012345 by goroutine 6:",
  "  main.worker()",
  "      /src/app/main.go:19 +0x3a",
  "",
  "Goroutine 7 (running) created at:",
  "  main.main()",
  "      /src/app/main.go:30 +0x7c",
  "==================",
].join("\n");

describe("lossless: false", () => {
  it("keeps every line of real dumps (none has 10,000 lines of text): the same model", () => {
    const files = [...listFixtures("generated/go-versions"), ...listFixtures("labeled/leakybank")]
      .filter((f) => !f.endsWith(".gz"))
      .map(fixture);
    if (hasSharedCorpus) files.push(...listCorpus("public").filter((p) => p.endsWith(".txt")));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(compare(readFileSync(f, "utf8"))).toBe(0);
    if (hasSharedCorpus)
      expect(compare(readFileSync(corpus("public/panicparse-race-detector-report.txt"), "utf8"))).toBe(0);
  });

  it("a log around a crash, a second dump and a race: only the log's lines past the first 10,000 are left out", () => {
    const text = [
      log(12_000),
      crash,
      log(3_000, 12_000),
      sigquit,
      log(6_000, 15_000),
      RACE,
      log(2_000, 21_000),
      "exit status 2",
      "",
    ].join("\n");
    const lossy = parseDump(text, { lossless: false });
    // 2,000 before the crash and every log line after it up to the race report; from a race report's
    // start on, every line is kept (its lines are read).
    expect(compare(text)).toBe(2_000 + 3_000 + 6_000);
    expect(lossy.preamble.panics.length).toBeGreaterThan(0);
    expect(lossy.dumpCount).toBe(2);
    expect(lossy.races).toHaveLength(1);
    expect(lossy.trailer.filter((l) => l === OMITTED_LINE)).toHaveLength(6_000);
    expect(lossy.unlistedDiagnostics).toBeGreaterThan(10_000);
    // Streamed in small pieces: the same.
    expect(compare(text, 4096)).toBe(11_000);
  });

  it("threads' fragments merge to the same model", async () => {
    const text = [log(11_000), sigquit.trimEnd(), "", log(11_000, 11_000), ""].join("\n");
    const bytes = new TextEncoder().encode(text);
    const cuts = boundaries(bytes).filter((_, i) => i % 3 === 1);
    expect(cuts.length).toBeGreaterThan(1);
    const a = await parseInFragments(bytes, cuts, true);
    const b = await parseInFragments(bytes, cuts, false);
    expect(read(b.info)).toEqual(read(a.info));
    expect(b.clean).toBe(a.clean);
    expect(b.info.omittedLines).toBe(2_000);
    // Each thread's session keeps its own first 10,000 (their diagnostics are listed in its own order).
    expect(
      omittedIn(a.info.preamble.lines, b.info.preamble.lines) + omittedIn(a.info.trailer, b.info.trailer),
    ).toBe(2_000);
  });

  it(
    `any mix of log text and the runtime's lines: the same model but for left-out log lines (${Math.max(10, Math.floor(RUNS / 30))} runs)`,
    () => {
      const piece = fc.oneof(
        fc.constantFrom(
          crash,
          sigquit,
          RACE,
          "",
          "exit status 2",
          "-----",
          "rax    0x0",
          "SIGQUIT: quit",
          "root@host:/# SIGQUIT: quit",
          "panic: boom",
          "\tcontinued",
          "fatal error: all goroutines are asleep - deadlock!",
          "runtime stack:",
          "runtime.throw({0x4b1f2a?, 0x0?})\n\t/usr/local/go/src/runtime/panic.go:1023 +0x5c",
          "goroutine 9 [",
          "created by main.main in goroutine 1",
          "main.cut(",
          "goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:20 +0x1d",
        ),
        fc.integer({ min: 1, max: 6_000 }).map((n) => log(n)),
      );
      fc.assert(
        fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), (pieces) => {
          compare(pieces.join("\n"));
        }),
        { numRuns: Math.max(10, Math.floor(RUNS / 30)) },
      );
    },
    Math.max(60_000, RUNS * 20),
  );
});
