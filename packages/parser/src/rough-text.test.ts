// Dumps as they come from logs, terminals and pastes: trailing blanks, CRLF, stripped TABs, glued
// prompts, debug=1 headers, old race reports, cut inputs and damaged function lines.
import { readFileSync } from "node:fs";
import { corpus, fixture, hasSharedCorpus } from "@gosleuth/fixtures";
import type { Dump, Frame } from "@gosleuth/model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundaries, parseInFragments } from "../test/fragments-util.ts";
import { parseDump } from "./index.ts";

const read = (rel: string) => readFileSync(fixture(rel), "utf8");
const DEADLOCK = "generated/go-versions/go1.26-crash-deadlock.txt";
const SYSTEM = "generated/go-versions/go1.26-spawnfarm-sigquit-system.txt";
const LEAKYBANK = "labeled/leakybank/leakybank-t0300s-debug2.txt";

const frame = (f: Frame) => [f.fn.full, f.args, f.file, f.line, f.offset, f.fp, f.sp, f.pc];

/** What a dump means, without its raw text (lines, indentation, line ends): equal for equal dumps. */
function meaning(d: Dump) {
  return {
    format: d.format,
    dumpCount: d.dumpCount,
    total: d.total,
    truncated: d.truncated,
    panics: d.preamble.panics,
    fatal: d.preamble.fatal,
    signal: d.preamble.signal,
    runtimeLines: d.preamble.runtimeLines,
    registers: d.registers,
    runtimeStack: d.runtimeStack?.map(frame),
    races: d.races.map((r) => ({ accesses: r.accesses, goroutines: r.goroutines })),
    groups: d.groups.map((g) => [g.count, g.frames.map((f) => [f.fn?.full, f.file, f.line])]),
    goroutines: d.goroutines.map((g) => ({
      id: g.id,
      state: g.state,
      waitMinutes: g.waitMinutes,
      lockedToThread: g.lockedToThread,
      labels: g.labels,
      frames: g.frames.map(frame),
      elided: g.elided,
      stackUnavailable: g.stackUnavailable,
      createdBy: g.createdBy && [
        g.createdBy.fn.full,
        g.createdBy.file,
        g.createdBy.line,
        g.createdBy.parentId,
      ],
      ancestors: g.ancestors.map((a) => [a.id, a.frames.map(frame)]),
    })),
  };
}

const messages = (d: Dump) => d.diagnostics.map((x) => x.message);

describe("trailing blanks (minimal case written by hand, and real dumps padded)", () => {
  it("never reach names, offsets or the preamble", () => {
    const d = parseDump("goroutine 1 [running]:   \nmain.main()   \n\t/src/x.go:5 +0x1d   \n");
    expect(d.goroutines[0]!.frames.map(frame)).toEqual([
      ["main.main", "", "/src/x.go", 5, "0x1d", undefined, undefined, undefined],
    ]);
    const c = parseDump(
      "fatal error: fault   \t\n[signal SIGBUS: bus error code=0x2 addr=0x7f pc=0x4]   \n\ngoroutine 7 [running]:\nmain.f(0x1)  \n\t/x.go:5 +0x1d \ncreated by main.g in goroutine 1   \n\t/x.go:9 +0x2  \n",
    );
    expect(c.preamble.fatal).toEqual(["fault"]);
    expect(c.preamble.signal?.bracket).toBe("signal SIGBUS: bus error code=0x2 addr=0x7f pc=0x4");
    expect(c.goroutines[0]!.createdBy).toMatchObject({ file: "/x.go", line: 9, offset: "0x2", parentId: 1 });
    expect(c.goroutines[0]!.createdBy!.fn.full).toBe("main.g");
    expect(c.goroutines[0]!.frames[0]!.args).toBe("0x1");
  });
  it("a real signal dump with blanks after every line means what the clean one means", () => {
    const text = read(SYSTEM);
    const padded = text.replace(/\n/g, " \t \n");
    expect(meaning(parseDump(padded))).toEqual(meaning(parseDump(text)));
  });
});

describe("file lines without their TAB (minimal case written by hand, and real dumps stripped)", () => {
  it("a `path.go:N` line right after a function line is its file line", () => {
    const d = parseDump("goroutine 1 [running]:\nmain.f(0x1)\n/src/x.go:5 +0x1d\n");
    expect(d.goroutines[0]!.frames.map(frame)).toEqual([
      ["main.f", "0x1", "/src/x.go", 5, "0x1d", undefined, undefined, undefined],
    ]);
    expect(d.diagnostics).toEqual([]);
  });
  it("real dumps with every TAB stripped mean what the clean ones mean", () => {
    for (const rel of [SYSTEM, DEADLOCK, "generated/go-versions/go1.19-crash-nil-gotraceback-crash.txt"]) {
      const text = read(rel);
      const stripped = text.replace(/^\t/gm, "");
      expect(meaning(parseDump(stripped)), rel).toEqual(meaning(parseDump(text)));
      expect(messages(parseDump(stripped)), rel).toEqual(messages(parseDump(text)));
    }
  });
  it("a line that is no Go source stays text", () => {
    const d = parseDump(
      "goroutine 1 [running]:\nmain.f(0x1)\n/src/x.go:5 +0x1d\nsome log line (x)\nnot a file: 12\n",
    );
    expect(d.goroutines[0]!.frames).toHaveLength(1);
    expect(d.trailer.slice(0, 2)).toEqual(["some log line (x)", "not a file: 12"]);
  });
});

describe("CRLF line ends (minimal case written by hand, and a real Windows-style dump)", () => {
  it("`fatal error:` and every preamble line accept the '\\r'", () => {
    const d = parseDump(
      "fatal error: all goroutines are asleep - deadlock!\r\n\r\ngoroutine 1 [chan receive]:\r\nmain.main()\r\n\tC:/x/main.go:9 +0x1d\r\n",
    );
    expect(d.format).toBe("fatal");
    expect(d.preamble.fatal).toEqual(["all goroutines are asleep - deadlock!"]);
    expect(d.diagnostics).toEqual([]);
  });
  it("a real deadlock and a real signal dump with CRLF mean what the LF ones mean, with the same diagnostics", () => {
    for (const rel of [DEADLOCK, SYSTEM]) {
      const text = read(rel);
      const crlf = text.replace(/\n/g, "\r\n");
      expect(meaning(parseDump(crlf)), rel).toEqual(meaning(parseDump(text)));
      expect(messages(parseDump(crlf)), rel).toEqual(messages(parseDump(text)));
    }
  });
});

describe("debug=1's own header", () => {
  it("is the profile's first line, not text before the dump (minimal case written by hand)", () => {
    const d = parseDump("goroutine profile: total 2\n2 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/x.go:3\n\n");
    expect(d.format).toBe("debug1");
    expect(d.diagnostics).toEqual([]);
  });
  it("real debug=1 profiles have no diagnostic", () => {
    for (const rel of [
      "labeled/leakybank/leakybank-t0300s-debug1.txt",
      "generated/servers/caddy-2.11-idle-debug1.txt",
    ]) {
      expect(parseDump(read(rel)).diagnostics, rel).toEqual([]);
    }
  });
});

/** A Go 1.10-era report (written by hand after the shape of ThreadSanitizer's output of that time). */
const OLD_RACE = [
  "Read at 0x00c4200a0f48 by goroutine 224:",
  "  main.(*cache).get()",
  "      /go/src/app/cache.go:31 +0x5d",
  "",
  "Previous write at 0x00c4200a0f48 by goroutine 45:",
  "  main.(*cache).set()",
  "      /go/src/app/cache.go:40 +0x8e",
  "",
  "Goroutine 224 (running) created at:",
  "  main.serve()",
  "      /go/src/app/main.go:77 +0x1a4",
  "",
  "Goroutine 45 (finished) created at:",
  "  main.main()",
  "      /go/src/app/main.go:60 +0x29c",
  "==================",
];

describe("race reports of every shape", () => {
  it("a report whose `WARNING: DATA RACE` header was lost gives both goroutines, accesses and creation stacks", () => {
    const d = parseDump(OLD_RACE.join("\r\n"));
    expect(d.format).toBe("race");
    expect(d.races).toHaveLength(1);
    const r = d.races[0]!;
    expect(
      r.accesses.map((a) => [a.kind, a.previous, a.goroutineId, a.frames.map((f) => f.fn.full)]),
    ).toEqual([
      ["read", false, 224, ["main.(*cache).get"]],
      ["write", true, 45, ["main.(*cache).set"]],
    ]);
    expect(r.goroutines.map((g) => [g.id, g.status, g.createdAt.map((f) => [f.fn.full, f.line])])).toEqual([
      [224, "running", [["main.serve", 77]]],
      [45, "finished", [["main.main", 60]]],
    ]);
    expect(d.diagnostics).toEqual([]);
    // With its header, the same report parses the same.
    const withHeader = parseDump(["==================", "WARNING: DATA RACE", ...OLD_RACE].join("\n"));
    expect(withHeader.races.map((x) => x.accesses)).toEqual(d.races.map((x) => x.accesses));
  });
  it.skipIf(!hasSharedCorpus)(
    "real reports with CRLF, trailing blanks or without their header mean the same",
    () => {
      for (const f of ["index-race-interleaved-stdout.txt", "panicparse-race-detector-report.txt"]) {
        const text = readFileSync(corpus(`public/${f}`), "utf8");
        const clean = parseDump(text);
        expect(clean.races.length, f).toBeGreaterThan(0);
        const want = clean.races.map((r) => ({ accesses: r.accesses, goroutines: r.goroutines }));
        for (const variant of [
          text.replace(/\n/g, "\r\n"),
          text.replace(/\n/g, "  \n"),
          text.replace(/^WARNING: DATA RACE\n/m, ""),
        ]) {
          const d = parseDump(variant);
          expect(d.format, f).toBe(clean.format);
          expect(
            d.races.map((r) => ({ accesses: r.accesses, goroutines: r.goroutines })),
            f,
          ).toEqual(want);
        }
      }
    },
  );
});

describe("runtime lines glued or unusual before the dump", () => {
  it("`SIGQUIT: quit` after a shell prompt, and `signal arrived during cgo execution` (written by hand)", () => {
    const d = parseDump(
      "root@host:/# SIGQUIT: quit\nPC=0x46e1c1 m=0 sigcode=0\nsignal arrived during cgo execution\n\ngoroutine 1 [syscall]:\nmain.main()\n\t/x.go:5 +0x1d\n",
    );
    expect(d.format).toBe("signal");
    expect(d.preamble.signal).toMatchObject({ header: "SIGQUIT: quit", name: "SIGQUIT", pc: "0x46e1c1" });
    expect(d.preamble.runtimeLines).toEqual(["signal arrived during cgo execution"]);
    expect(d.diagnostics.map((x) => [x.severity, x.line, x.message])).toEqual([
      ["info", 1, "@gosleuth/parser: line 1: runtime line glued to preceding text"],
    ]);
  });
  it("prose that only mentions a runtime line is not taken for one", () => {
    for (const text of [
      "| a.txt | `fatal error: all goroutines are asleep` | 3 |\n",
      "2026/01/01 worker: recovered panic: boom\n",
      "we saw SIGQUIT: quit in the logs\n",
    ]) {
      const d = parseDump(text);
      expect(d.format, text).toBe("unknown");
      expect(d.preamble.fatal, text).toEqual([]);
      expect(d.preamble.panics, text).toEqual([]);
    }
  });
  it("a real signal dump glued to a prompt, with the cgo line added, means the same", () => {
    const text = read(SYSTEM);
    const clean = parseDump(text);
    const glued = parseDump(`user@box:~$ ${text}`);
    expect(meaning(glued)).toEqual(meaning(clean));
    const cgo = parseDump(text.replace(/^(PC=.*\n)/m, "$1signal arrived during cgo execution\n"));
    expect(cgo.preamble.runtimeLines).toEqual([
      ...clean.preamble.runtimeLines,
      "signal arrived during cgo execution",
    ]);
    expect(messages(cgo)).toEqual(messages(clean));
  });
});

describe("inputs cut in the middle (a real dump cut by bytes and by lines, and minimal cases)", () => {
  const text = read(LEAKYBANK);
  it("the whole dump is not truncated", () => {
    expect(parseDump(text).truncated).toBeUndefined();
  });
  it("the first half, cut inside a line, ends inside a goroutine", () => {
    const d = parseDump(text.slice(0, Math.floor(text.length / 2)));
    expect(d.truncated).toMatchObject({ atStart: false, atEnd: true });
    expect(d.truncated!.reasons[0]).toMatch(/^the input ends inside a goroutine block: "goroutine \d+ \[/);
    expect(messages(d).at(-1)).toMatch(/^@gosleuth\/parser: the input looks like part of a dump/);
  });
  it("the first half of its lines ends at a goroutine without `created by`", () => {
    const lines = text.split("\n");
    const d = parseDump(lines.slice(0, Math.floor(lines.length / 2)).join("\n"));
    expect(d.truncated).toMatchObject({ atStart: false, atEnd: true });
    expect(d.truncated!.reasons[0]).toMatch(/^goroutine \d+ ends at /);
  });
  it("the second half starts inside a goroutine, without goroutine 1", () => {
    const d = parseDump(text.slice(Math.floor(text.length / 2)));
    expect(d.truncated).toMatchObject({ atStart: true, atEnd: false });
    expect(d.truncated!.reasons).toEqual([
      "it starts inside a goroutine block: stack frames come before the first goroutine header",
      "goroutine 1 (main) is missing",
    ]);
  });
  it("fragments cut where the CLI's threads cut give the same verdict", async () => {
    const half = new TextEncoder().encode(text.slice(0, Math.floor(text.length / 2)));
    const cuts = boundaries(half).filter((_, i) => i % 700 === 350);
    expect(cuts.length).toBeGreaterThan(1);
    const r = await parseInFragments(half, cuts);
    expect(r.clean).toBe(true);
    expect(r.info.truncated).toEqual(parseDump(half).truncated);
  });
  it("minimal cases (written by hand): a dangling function line; a complete last goroutine", () => {
    const head =
      "goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n\ngoroutine 5 [select]:\nmain.f()\n\t/x.go:2 +0x1\ncreated by main.main in goroutine 1\n\t/x.go:3 +0x1\n\n";
    expect(parseDump(`${head}goroutine 6 [select]:\nmain.g(0xc0`).truncated?.atEnd).toBe(true);
    expect(parseDump(`${head}goroutine 6 [select]:\nmain.g()\n\t/x.go:4 +0x1\n`).truncated?.reasons).toEqual([
      "goroutine 6 ends at main.g without `created by`",
    ]);
    expect(parseDump(head).truncated).toBeUndefined();
    // Hand-written dumps without any `created by` are not called cut.
    expect(
      parseDump(
        "goroutine 1 [running]:\nmain.main()\n\t/x.go:1\n\ngoroutine 2 [select]:\nmain.f()\n\t/x.go:2\n",
      ).truncated,
    ).toBeUndefined();
  });
  it("a debug=1 profile whose groups fall short of its total is cut at its end", () => {
    const d = parseDump("goroutine profile: total 5\n2 @ 0x1\n#\t0x1\tmain.f+0x1\t/x.go:3\n\n");
    expect(d.truncated).toEqual({
      atStart: false,
      atEnd: true,
      reasons: ["the groups add up to 2 of the profile's 5 goroutines"],
    });
  });
});

describe("function lines that are no Go call", () => {
  it("`main.main)(` is kept as the frame's function, with a warning naming its line (written by hand)", () => {
    const d = parseDump("goroutine 1 [running]:\nmain.main)(\n\t/x.go:5 +0x1d\n");
    expect(d.goroutines[0]!.frames.map((f) => [f.fn.full, f.file, f.line])).toEqual([
      ["main.main)(", "/x.go", 5],
    ]);
    expect(d.diagnostics.map((x) => [x.severity, x.line, x.text])).toEqual([["warning", 2, "main.main)("]]);
  });
  it("in a real dump, one damaged line warns once and everything else is unchanged", () => {
    const text = read(DEADLOCK);
    const lines = text.split("\n");
    const i = lines.findIndex((l) => l.startsWith("main.main("));
    lines[i] = "main.main)(";
    const d = parseDump(lines.join("\n"));
    expect(d.diagnostics.map((x) => [x.line, x.text])).toEqual([[i + 1, "main.main)("]]);
    expect(d.goroutines.map((g) => g.frames.length)).toEqual(
      parseDump(text).goroutines.map((g) => g.frames.length),
    );
  });
  it("cgo's bare C function names are no warning", () => {
    const d = parseDump(
      "goroutine 1 [syscall]:\nruntime.cgocall(0x1, 0x2)\n\t/r/cgocall.go:157 +0x5b\nmain._Cfunc_sleep\n\t_cgo_gotypes.go:42 +0x4c\n",
    );
    expect(d.goroutines[0]!.frames).toHaveLength(2);
    expect(d.diagnostics).toEqual([]);
  });
});

describe("property: a random real dump with trailing blanks, CRLF or stripped TABs parses to the same model", () => {
  const FILES = [
    SYSTEM,
    DEADLOCK,
    "generated/go-versions/go1.19-spawnfarm-sigquit-all.txt",
    "generated/go-versions/go1.23-crash-repanic.txt",
    "generated/go-versions/go1.21-crash-nil-gotraceback-crash.txt",
    "generated/servers/esbuild-0.28.2-go1.26-sigquit-serve.txt",
    "generated/servers/caddy-2.11-idle-debug1.txt",
  ];
  const texts = FILES.map(read);
  const clean = texts.map((t) => meaning(parseDump(t)));
  it("for every mix of the three, on any line", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: FILES.length - 1 }),
        fc.boolean(),
        fc.array(fc.constantFrom("", " ", "\t", "  \t "), { minLength: 1, maxLength: 7 }),
        fc.boolean(),
        fc.nat(),
        (k, crlf, blanks, stripTabs, seed) => {
          let n = seed;
          const lines = texts[k]!.split("\n").map((l, i) => {
            if (i === texts[k]!.split("\n").length - 1 && l === "") return l;
            let out = stripTabs && (n++ & 1) === 0 ? l.replace(/^\t/, "") : l;
            out += blanks[n++ % blanks.length]!;
            return crlf ? `${out}\r` : out;
          });
          expect(meaning(parseDump(lines.join("\n")))).toEqual(clean[k]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
