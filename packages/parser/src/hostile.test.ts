// Hostile and broken input: the parser never throws, never hangs (linear time), keeps every surviving header.
// The campaign size is set by GOSLEUTH_FUZZ_RUNS (default: a fast run for every test run; see the README for the long one).
import { readFileSync } from "node:fs";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundaries, parseInFragments } from "../test/fragments-util.ts";
import { mutate, opArb } from "../test/mutate.ts";
import { formatDump, parseDump, parseDumpAsync } from "./index.ts";

const RUNS = Number(process.env.GOSLEUTH_FUZZ_RUNS ?? 150);
const SOURCES = listFixtures("generated/go-versions")
  .filter((f) => /crash|sigquit-system/.test(f))
  .map((f) => readFileSync(fixture(f), "utf8"));

const HEADER = /^goroutine \d+ (gp=\S+ m=\S+ (mp=\S+ )?)?\[[^\n]*\]( \{[^\n]*\})?:[ \r]*$/gm;

describe("fuzzing real dumps", () => {
  it(
    `never throws, keeps every surviving header, prints back (${RUNS} runs over ${SOURCES.length} real dumps)`,
    () => {
      for (const src of SOURCES) {
        fc.assert(
          fc.property(fc.array(opArb, { maxLength: 8 }), (ops) => {
            const text = mutate(src, ops);
            const d = parseDump(text);
            const headers = (text.match(HEADER) ?? []).length;
            expect(d.goroutines.length).toBeGreaterThanOrEqual(headers);
            formatDump(d);
          }),
          { numRuns: Math.max(1, Math.floor(RUNS / SOURCES.length)) },
        );
      }
    },
    Math.max(60_000, RUNS * 10),
  );
});

describe("fuzzing the threads' cuts", () => {
  it(
    `fragments of mutated dumps, cut where the CLI's threads cut, merge to what one parse gives or say they cannot (${RUNS} runs)`,
    async () => {
      let clean = 0;
      let cutRuns = 0;
      for (const src of SOURCES) {
        await fc.assert(
          fc.asyncProperty(
            fc.array(opArb, { maxLength: 8 }),
            fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
            async (ops, picks) => {
              const bytes = new TextEncoder().encode(mutate(src, ops));
              const all = boundaries(bytes);
              const cuts = [...new Set(picks.map((p) => all[p % Math.max(1, all.length)]))]
                .filter((c): c is number => c !== undefined)
                .sort((a, b) => a - b);
              const r = await parseInFragments(bytes, cuts);
              if (cuts.length > 0) cutRuns++;
              // An unclean merge is thrown away by the CLI, which parses on one thread instead.
              if (!r.clean) return;
              if (cuts.length > 0) clean++;
              const whole = parseDump(bytes);
              expect(r.ids).toEqual(whole.goroutines.map((g) => g.id));
              const { goroutines: _g, groups: _gr, ...info } = whole;
              expect(r.info).toEqual(info);
            },
          ),
          { numRuns: Math.max(1, Math.floor(RUNS / SOURCES.length)) },
        );
      }
      // The property is only worth something if most runs really were cut and merged.
      expect(cutRuns).toBeGreaterThan(RUNS / 2);
      expect(clean).toBeGreaterThan(cutRuns / 4);
    },
    Math.max(60_000, RUNS * 40),
  );
});

describe("pathological shapes (synthetic)", () => {
  it("a 1 MB line and a 1 MB line without newline", () => {
    const big = "x".repeat(1 << 20);
    const d = parseDump(
      `goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n\n${big}\n\ngoroutine 2 [select]:\nmain.f()\n\t/x.go:2 +0x1\n${big}`,
    );
    expect(d.goroutines.map((g) => g.id)).toEqual([1, 2]);
  });
  it("a goroutine with a million frames streams in linear time", async () => {
    const frame = "main.recurse(0x0?, 0x0?)\n\t/app/main.go:35 +0x29\n";
    const body = `goroutine 1 [running]:\n${frame.repeat(1_000_000)}created by main.main in goroutine 1\n\t/app/main.go:9 +0x1\n`;
    const chunks: Uint8Array[] = [];
    const buf = Buffer.from(body);
    for (let i = 0; i < buf.length; i += 1 << 16) chunks.push(buf.subarray(i, i + (1 << 16)));
    const t0 = performance.now();
    const d = await parseDumpAsync(chunks);
    const ms = performance.now() - t0;
    expect(d.goroutines[0]!.frames).toHaveLength(1_000_000);
    expect(d.goroutines[0]!.createdBy?.parentId).toBe(1);
    // Not a timing test: a quadratic scan of 50 MB would take minutes, a linear one well under that.
    expect(ms).toBeLessThan(60_000);
  });
  it("ids beyond 2^53 keep their exact text and print back", () => {
    const text = "goroutine 18446744073709551615 [chan receive, 5 minutes]:\nmain.f()\n\t/x.go:2 +0x1\n";
    const d = parseDump(text);
    expect(d.goroutines[0]!.idText).toBe("18446744073709551615");
    expect(formatDump(d)).toBe(text);
  });
  it("a dump followed by 200,000 lines of log is formatted back as it came (no `push(...lines)` overflow)", () => {
    const log = Array.from({ length: 200_000 }, (_, i) => `2026-12-02 INFO request ${i} served`).join("\n");
    const text = `goroutine 1 [running]:\nmain.main()\n\t/x.go:2 +0x1\n\n${log}\n`;
    const d = parseDump(text);
    expect(d.trailer?.length).toBeGreaterThanOrEqual(200_000);
    expect(formatDump(d)).toBe(text);
  });
  it("NUL bytes and random binary do not throw and are reported", () => {
    const bin = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    const d = parseDump(new Uint8Array(bin));
    expect(d.format).toBe("unknown");
    expect(d.diagnostics[0]!.message).toMatch(/not a goroutine dump/);
  });
});
