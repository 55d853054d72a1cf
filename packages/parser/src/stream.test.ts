// Properties of streaming: any chunking gives the same model, junk never loses a goroutine, input never throws.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { Dump } from "@gosleuth/model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDump, parseDump, parseDumpAsync } from "./index.ts";
import { byteLength } from "./parse.ts";

const SAMPLES = [
  "generated/go-versions/go1.26-crash-nil-gotraceback-crash.txt",
  "generated/go-versions/go1.27-spawnfarm-sigquit-system.txt",
  "generated/servers/esbuild-0.28.2-go1.26-sigquit-serve.txt",
  "generated/go-versions/go1.19-crash-deadlock.txt",
  "generated/servers/caddy-2.11-idle-debug1.txt",
].map((f) => readFileSync(fixture(f)));

/** Adds a multi-byte character so chunk edges can fall inside one. */
const UTF8 = Buffer.from(
  "goroutine 1 [running]:\nmain.héllo·世界()\n\t/tmp/ünï/x.go:1 +0x1\n\ngoroutine 2 [select]:\nmain.f()\n\t/x.go:2 +0x1\n",
);

function summary(d: Dump) {
  return {
    format: d.format,
    goroutines: d.goroutines.map((g) => [
      g.id,
      g.state,
      g.waitMinutes,
      g.frames.length,
      g.lines.start,
      g.lines.end,
      g.frames[0]?.fn.full ?? "",
    ]),
    groups: d.groups.map((g) => [g.count, g.frames.length, g.lines.start]),
    diagnostics: d.diagnostics.map((x) => [x.line, x.severity, x.text]),
    preamble: d.preamble.lines,
    trailer: d.trailer,
  };
}

function cutsOf(buf: Buffer, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe("streaming", () => {
  it("random chunking (inside lines and UTF-8 characters) equals whole parsing", async () => {
    for (const buf of [...SAMPLES, UTF8]) {
      const whole = summary(parseDump(buf.toString("utf8")));
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat(), { maxLength: 40 }),
          fc.integer({ min: 16, max: 4096 }),
          async (cuts, pieceSize) => {
            const d = await parseDumpAsync(cutsOf(buf, cuts), { pieceSize });
            expect(summary(d)).toEqual(whole);
          },
        ),
        { numRuns: 25 },
      );
    }
  });

  it("buffers at most one piece plus the largest goroutine (bounded memory)", async () => {
    // 2,000 small goroutines fed in 100-byte reads with 4 KB pieces: every goroutine is handed out
    // long before the end, i.e. the parser never waits for the whole input.
    const text = Array.from(
      { length: 2000 },
      (_, i) => `goroutine ${i + 1} [select]:\nmain.f()\n\t/x.go:2 +0x1\n`,
    ).join("\n");
    const bytes = Buffer.from(text);
    let yieldedBeforeEnd = 0;
    let fed = 0;
    async function* src() {
      for (let i = 0; i < bytes.length; i += 100) {
        fed = i;
        yield bytes.subarray(i, i + 100);
      }
    }
    const { parseStream } = await import("./index.ts");
    let maxLag = 0;
    let seen = 0;
    for await (const g of parseStream(src(), { pieceSize: 4096 })) {
      if (g.kind !== "goroutine") continue;
      seen++;
      if (fed < bytes.length - 100) yieldedBeforeEnd++;
      const lagBytes = fed - text.indexOf(`goroutine ${g.id} [`);
      maxLag = Math.max(maxLag, lagBytes);
    }
    expect(seen).toBe(2000);
    expect(yieldedBeforeEnd).toBeGreaterThan(1900);
    expect(maxLag).toBeLessThan(3 * 4096);
  });

  it("junk lines inserted between blocks never lose a goroutine", () => {
    const base = readFileSync(fixture("generated/go-versions/go1.21-spawnfarm-sigquit-all.txt"), "utf8");
    const blocks = base.split("\n\n");
    const expected = parseDump(base).goroutines.length;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 80 })), { maxLength: 20 }), (junk) => {
        const copy = [...blocks];
        for (const [at, line] of junk) {
          const clean = line.replace(/\n/g, " ").replace(/goroutine \d/g, "g");
          copy.splice(1 + (at % copy.length), 0, `JUNK ${clean}`);
        }
        const d = parseDump(copy.join("\n\n"));
        expect(d.goroutines.length).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });

  it("never throws on mutated input, and keeps every header that survived", () => {
    const base = readFileSync(
      fixture("generated/go-versions/go1.26-crash-nil-gotraceback-crash.txt"),
      "utf8",
    );
    const lines = base.split("\n");
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("del"), at: fc.nat() }),
            fc.record({ op: fc.constant("dup"), at: fc.nat() }),
            fc.record({ op: fc.constant("ins"), at: fc.nat(), text: fc.string({ maxLength: 60 }) }),
            fc.record({ op: fc.constant("cut"), at: fc.nat() }),
          ),
          { maxLength: 12 },
        ),
        (ops) => {
          const ls = [...lines];
          let text: string | undefined;
          for (const o of ops) {
            const i = o.at % Math.max(1, ls.length);
            if (o.op === "del") ls.splice(i, 1);
            else if (o.op === "dup") ls.splice(i, 0, ls[i] ?? "");
            else if (o.op === "ins") ls.splice(i, 0, (o as { text: string }).text);
            else text = ls.join("\n").slice(0, o.at % (ls.join("\n").length + 1));
          }
          text ??= ls.join("\n");
          const d = parseDump(text);
          const headers = (text.match(/^goroutine \d+ (gp=\S+ m=\S+ (mp=\S+ )?)?\[[^\n]*\]:[ \r]*$/gm) ?? [])
            .length;
          expect(d.goroutines.length).toBeGreaterThanOrEqual(headers);
          expect(() => formatDump(d)).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gzip input is read transparently and a gzip bomb is stopped by the size cap", async () => {
    const { gzipSync } = await import("node:zlib");
    const text = readFileSync(fixture("generated/go-versions/go1.24-crash-deadlock.txt"));
    const d = await parseDumpAsync([gzipSync(text)]);
    expect(d.goroutines.length).toBe(parseDump(text.toString("utf8")).goroutines.length);
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 32));
    const b = await parseDumpAsync([bomb], { maxDecompressedBytes: 1024 * 1024 });
    expect(b.diagnostics.some((x) => x.severity === "error" && /size cap/.test(x.message))).toBe(true);
  });
});

/** A source like the CLI's file reader: every chunk is read into the same buffer, overwritten by the next read. */
async function* reusedBuffer(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < data.length; i += size) {
    const n = Math.min(size, data.length - i);
    buf.set(data.subarray(i, i + n));
    yield buf.subarray(0, n);
  }
}

describe("a source that reuses its buffer", () => {
  it("parses every family as fresh chunks do (text, debug=1, gzip, debug=0 protobuf, long goroutines)", async () => {
    const { gzipSync } = await import("node:zlib");
    const inputs = [
      ...SAMPLES,
      UTF8,
      gzipSync(SAMPLES[1]!),
      readFileSync(fixture("generated/servers/caddy-2.11-t0-debug0.pb.gz")),
    ];
    for (const data of inputs) {
      const want = summary(await parseDumpAsync([Buffer.from(data)]));
      // Reads shorter than a line, than a goroutine, than a piece, and longer than a piece.
      for (const size of [7, 100, 4096, 100_000]) {
        const got = summary(await parseDumpAsync(reusedBuffer(data, size), { pieceSize: 4096 }));
        expect(got, `read size ${size}`).toEqual(want);
      }
    }
  });
});

describe("stream consumers", () => {
  it("batches() yields the same goroutines as the item iterator, and info settles after an early stop", async () => {
    const { parseStream } = await import("./index.ts");
    const buf = readFileSync(fixture("generated/go-versions/go1.24-spawnfarm-stack.txt"));
    const ids: number[] = [];
    const s1 = parseStream([buf], { pieceSize: 4096 });
    for await (const batch of s1.batches()) for (const g of batch) if (g.kind === "goroutine") ids.push(g.id);
    expect(ids).toEqual(parseDump(buf.toString("utf8")).goroutines.map((g) => g.id));
    const s2 = parseStream([buf], { pieceSize: 4096 });
    for await (const _ of s2) break;
    const info = await s2.info;
    expect(info.format).toBe("debug2");
  });
  it("onPiece takes each piece's goroutines as it is parsed; with the batches' rest, nothing is lost or doubled", async () => {
    const { parseStream } = await import("./index.ts");
    for (const f of [
      "generated/go-versions/go1.24-spawnfarm-stack.txt",
      "generated/servers/caddy-2.11-idle-debug1.txt",
    ]) {
      const buf = readFileSync(fixture(f));
      const want = parseDump(buf.toString("utf8"));
      const got: number[] = [];
      let pieces = 0;
      const key = (g: { kind: string; id?: number; count?: number }) =>
        g.kind === "goroutine" ? g.id! : -g.count!;
      // One read of the whole file, so every piece but the last reaches onPiece.
      const s = parseStream([buf], {
        pieceSize: 4096,
        onPiece: (items) => {
          pieces++;
          for (const g of items) got.push(key(g));
        },
      });
      for await (const batch of s.batches()) for (const g of batch) got.push(key(g));
      expect(got).toEqual([...want.goroutines.map(key), ...want.groups.map(key)]);
      if (want.goroutines.length > 0) expect(pieces).toBeGreaterThan(5);
    }
  });
});

describe("byteLength", () => {
  it("counts a string's UTF-8 bytes as TextEncoder writes them", () => {
    const enc = new TextEncoder();
    for (const s of [
      "",
      "ascii",
      "héllo",
      "✓ ünï",
      "𐀀",
      "a𐀀b😀c",
      "\ud800",
      "x\udc00y",
      "\ud800\ud800\udc00",
    ]) {
      expect(byteLength(s)).toBe(enc.encode(s).length);
    }
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => byteLength(s) === enc.encode(s).length));
  });
});

describe("family detection", () => {
  /** Pieces a head may start with: runtime lines, log lines, whitespace, control and non-ASCII bytes. */
  const PARTS = [
    "goroutine profile: total 3\n",
    "goroutine 1 [running]:\n",
    "2026-12-03T06:00:00Z INFO started\n",
    "p\0\n",
    "\n",
    "  \t",
    "\u00a0",
    "\ufeff",
    "héllo ",
    "\x1f\x8b",
    "\x5a\x04\x0a\x02\x08\x01",
    "\x0a\x0b",
    "x".repeat(40),
  ].map((s) => Buffer.from(s, s.startsWith("\x1f") || s.startsWith("\x5a") ? "latin1" : "utf8"));

  it("a head read a few bytes at a time gets the family and the model the whole input gets", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: PARTS.length - 1 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        // Inputs shorter than a head too: they are decided at their end (and may still be longer than a piece).
        fc.integer({ min: 0, max: 400 }),
        async (picks, cuts, tail) => {
          const data = Buffer.concat([...picks.map((i) => PARTS[i]!), SAMPLES[3]!.subarray(0, tail)]);
          const want = summary(await parseDumpAsync([data], { pieceSize: 2 ** 40 }));
          expect(summary(await parseDumpAsync(cutsOf(data, cuts), { pieceSize: 64 }))).toEqual(want);
          // Text in pieces (a stream of strings) against the whole string.
          const text = data.toString("utf8");
          const textCuts = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces = [...textCuts, text.length].map((c, i) =>
            text.slice(i === 0 ? 0 : textCuts[i - 1], c),
          );
          expect(summary(await parseDumpAsync(pieces, { pieceSize: 64 }))).toEqual(summary(parseDump(text)));
        },
      ),
      { numRuns: Number(process.env.GOSLEUTH_FUZZ_RUNS ?? 300) },
    );
  });
});
