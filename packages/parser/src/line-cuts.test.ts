// Text without a goroutine boundary for longer than a piece (a log around a dump) is cut at lines where no
// token or block continues (chunker.ts isLineCut): the model is the one the uncut text gives, and such text
// no longer piles up into one piece.
// The campaign size is set by GOSLEUTH_FUZZ_RUNS, as in hostile.test.ts.
import { readFileSync } from "node:fs";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { modelKey } from "../test/model-key.ts";
import { mutate, opArb } from "../test/mutate.ts";
import { ByteSplitter, isLineCut, PieceSplitter } from "./chunker.ts";
import { parseDump, parseDumpAsync } from "./index.ts";

const RUNS = Number(process.env.GOSLEUTH_FUZZ_RUNS ?? 150);
/** A piece size no input here reaches: the text is parsed as one piece, uncut. */
const WHOLE = 2 ** 40;

/** isLineCut for `line` as the second line of a text, followed by `next`. */
const cutBefore = (line: string, next = "2026-12-03T06:00:01Z INFO next line") =>
  isLineCut(`earlier line\n${line}\n${next}\n`, "earlier line\n".length);

describe("isLineCut", () => {
  it("allows a cut before a log line or another line the lexer reads as Other", () => {
    for (const line of [
      "2026-12-03T06:00:00Z INFO server/handler.go:100 request served status=200",
      "panic: boom",
      "runtime stack:",
      "SIGQUIT: quit",
      "rax    0x0",
    ])
      expect(cutBefore(line), line).toBe(true);
  });

  it("refuses a line that a token continues or that starts a token of its own", () => {
    // A frame pair starts here (indented or unindented file line next), or a file line ends one.
    for (const [line, next] of [
      ["main.main()", "\t/app/main.go:12 +0x1d"],
      ["main.f(0x1)", "app/x.go:3"],
      ["\t/app/main.go:12 +0x1d"],
      ["app/main.go:12 +0x1d"],
      ["created by main.main in goroutine 1"],
      ["...3 frames elided..."],
      ["goroutine 5 [running]:"],
      ["shell$ goroutine 5 [running]:"],
      ["goroutine running on other thread; stack unavailable"],
      ["[originating from goroutine 3]:"],
      [""],
      ["   "],
      ["\r"],
    ] as [string, string?][])
      expect(cutBefore(line, next), JSON.stringify(line)).toBe(false);
  });

  it("refuses where the line or the one after it is not complete, and at the start", () => {
    expect(isLineCut("a\nlog line\nnext", 2)).toBe(false);
    expect(isLineCut("a\nlog line", 2)).toBe(false);
    expect(isLineCut("log line\nnext\n", 0)).toBe(false);
    expect(isLineCut("a\nlog line\nnext\n", 3)).toBe(false); // not a line start
    expect(isLineCut("a\nlog line\nnext\n", 2)).toBe(true);
  });
});

/** Lines of a log, and lines of a dump seen out of place in one. */
const LOG_LINES = [
  "2026-12-03T06:00:00.000Z INFO server/handler.go:120 request served method=GET status=200",
  "2026-12-03T06:00:00.001Z WARN retrying upstream=10.0.0.7:8443 attempt=2",
  'level=error msg="context deadline exceeded" caller=client.go:88',
  "panic: runtime error: index out of range [3] with length 3",
  "fatal error: all goroutines are asleep - deadlock!",
  "main.handler(0xc000123456, 0x1)",
  "\t/app/handler.go:77 +0x1d",
  "app/handler.go:77 +0x1d",
  "created by main.serve in goroutine 9",
  "...4 frames elided...",
  "",
  "   ",
  "runtime stack:",
  "rax    0x0",
  "héllo ✓ ünïcode",
];
const logLine = fc.constantFrom(...LOG_LINES);

/** Offsets (in characters of `text`) at which the pieces after the first start. */
function pieceStarts(pieces: string[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const p of pieces.slice(0, -1)) {
    at += p.length;
    starts.push(at);
  }
  return starts;
}

/** `input` in reads of the given sizes (cycled), as a stream hands them over. */
function inReads<T extends string | Uint8Array>(input: T, sizes: number[]): T[] {
  const out: T[] = [];
  for (let pos = 0, k = 0; pos < input.length; k++) {
    const n = sizes[k % sizes.length]!;
    out.push(input.slice(pos, pos + n) as T);
    pos += n;
  }
  return out;
}

describe("ByteSplitter and PieceSplitter on text without boundaries", () => {
  it("cut a long log into pieces of about the piece size, each after a line where a cut is allowed", () => {
    const text = `${Array.from({ length: 20_000 }, (_, i) => `${LOG_LINES[i % 3]} n=${i}`).join("\n")}\n`;
    const bytes = new TextEncoder().encode(text);
    const pieceSize = 4096;
    const bs = new ByteSplitter(pieceSize);
    const pieces: string[] = [];
    for (let i = 0; i < bytes.length; i += 16_384)
      bs.push(bytes.subarray(i, i + 16_384), (p) => pieces.push(p));
    pieces.push(bs.end());
    expect(pieces.join("")).toBe(text);
    // Every read of 16 KB gives a piece: none waits for a goroutine boundary that never comes.
    expect(pieces.length).toBeGreaterThanOrEqual(Math.floor(bytes.length / 16_384));
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(16_384 + pieceSize);
    for (const s of pieceStarts(pieces)) expect(isLineCut(text, s)).toBe(true);

    const ps = new PieceSplitter(pieceSize);
    const textPieces: string[] = [];
    for (let i = 0; i < text.length; i += 16_384) {
      const piece = ps.push(text.slice(i, i + 16_384));
      if (piece !== null) textPieces.push(piece);
    }
    textPieces.push(ps.end());
    expect(textPieces.join("")).toBe(text);
    expect(textPieces.length).toBeGreaterThanOrEqual(Math.floor(text.length / 16_384));
    for (const s of pieceStarts(textPieces)) expect(isLineCut(text, s)).toBe(true);
  });

  it("pieces of random log lines in random reads join back, each cut at a boundary or an allowed line", () => {
    let lineCuts = 0;
    fc.assert(
      fc.property(
        fc.array(logLine, { minLength: 50, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 16, max: 2048 }),
        (lines, reads, pieceSize) => {
          const text = `${lines.join("\n")}\n`;
          const bytes = new TextEncoder().encode(text);
          const bs = new ByteSplitter(pieceSize);
          const pieces: string[] = [];
          for (const r of inReads(bytes, reads)) bs.push(r, (p) => pieces.push(p));
          pieces.push(bs.end());
          expect(pieces.join("")).toBe(text);
          for (const s of pieceStarts(pieces)) {
            const boundary = text.startsWith("goroutine ", s);
            if (!boundary) lineCuts++;
            expect(boundary || isLineCut(text, s)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
    // The property says something only if lines were cut.
    expect(lineCuts).toBeGreaterThan(100);
  });
});

// Real dumps the fuzz campaigns use, with log lines put anywhere (inside blocks too: the text changes,
// and must parse alike cut or uncut).
const SOURCES = listFixtures("generated/go-versions")
  .filter((f) => /crash|sigquit-system/.test(f))
  .map((f) => readFileSync(fixture(f), "utf8"));

describe("the model of a dump in a log", () => {
  it(
    `is the same cut into pieces as uncut, from bytes and from text, in any reads (${RUNS} runs)`,
    async () => {
      let lineCuts = 0;
      for (const src of SOURCES) {
        await fc.assert(
          fc.asyncProperty(
            fc.array(opArb, { maxLength: 4 }),
            fc.array(fc.tuple(fc.nat(), fc.array(logLine, { minLength: 1, maxLength: 200 })), {
              minLength: 1,
              maxLength: 6,
            }),
            fc.array(fc.integer({ min: 16, max: 2048 }), { minLength: 1, maxLength: 8 }),
            fc.integer({ min: 64, max: 1024 }),
            async (ops, inserts, reads, pieceSize) => {
              const lines = mutate(src, ops).split("\n");
              for (const [at, log] of inserts) lines.splice(at % (lines.length + 1), 0, ...log);
              const text = lines.join("\n");
              const bytes = new TextEncoder().encode(text);
              // Bytes against bytes and text against text: a lone surrogate (a truncation inside a pair) is
              // kept in text and becomes U+FFFD in bytes.
              const wholeBytes = modelKey(parseDump(bytes, { pieceSize: WHOLE }));
              expect(modelKey(await parseDumpAsync(inReads(bytes, reads), { pieceSize }))).toBe(wholeBytes);
              const wholeText = modelKey(parseDump(text, { pieceSize: WHOLE }));
              expect(modelKey(await parseDumpAsync(inReads(text, reads), { pieceSize }))).toBe(wholeText);
              // How many pieces began at a line cut (the byte splitter alone, in the same reads).
              const bs = new ByteSplitter(pieceSize);
              let n = 0;
              for (const r of inReads(bytes, reads)) {
                bs.push(r, (p) => {
                  if (n++ > 0 && !p.startsWith("goroutine ")) lineCuts++;
                });
              }
            },
          ),
          { numRuns: Math.max(1, Math.floor(RUNS / SOURCES.length)) },
        );
      }
      expect(SOURCES.length).toBeGreaterThan(0);
      // The property says something only if text was cut at lines in many runs.
      expect(lineCuts).toBeGreaterThan(RUNS / 20);
    },
    Math.max(60_000, RUNS * 20),
  );
});
