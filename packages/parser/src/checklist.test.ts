// Tricky headers, frames and preambles from the format reference's checklist (synthetic inputs, written by hand).
import { describe, expect, it } from "vitest";
import { FrameTable } from "./frame.ts";
import { parseHeader } from "./header.ts";
import { formatDump, functionName, parseDump, parseDumpAsync } from "./index.ts";

describe("goroutine headers (synthetic)", () => {
  it("1.22+ gp= m= mp= and minutes, locked to thread", () => {
    const h = parseHeader(
      "goroutine 66 gp=0x2482daf054a0 m=5 mp=0x2482daf00008 [syscall, 7 minutes, locked to thread]:",
    );
    expect(h).toMatchObject({
      id: 66,
      gp: "0x2482daf054a0",
      m: "5",
      mp: "0x2482daf00008",
      state: "syscall",
      waitMinutes: 7,
      lockedToThread: true,
    });
  });
  it("m=nil without mp", () => {
    expect(parseHeader("goroutine 1 gp=0x2482dadec1e0 m=nil [chan send, 1 minutes]:")).toMatchObject({
      m: "nil",
      waitMinutes: 1,
    });
  });
  it("(leaked), (durable) and synctest bubbles", () => {
    expect(parseHeader("goroutine 9 [chan receive (leaked)]:")).toMatchObject({
      state: "chan receive",
      leaked: true,
    });
    expect(parseHeader("goroutine 10 [sleep (durable), synctest bubble 1]:")).toMatchObject({
      state: "sleep",
      durable: true,
      synctest: { kind: "bubble", id: 1 },
    });
  });
  it("1.26 labels inside the brackets, 1.27 labels after them (with `]` and `:` inside values)", () => {
    const a = parseHeader('goroutine 7 [select labels:{"k": "v", "k2": "a, b"}]:');
    expect(a.labels).toEqual({ k: "v", k2: "a, b" });
    expect(a.state).toBe("select");
    const b = parseHeader('goroutine 7 [select, 2 minutes] {handler: api, id: "a] b:"}:');
    expect(b.labels).toEqual({ handler: "api", id: "a] b:" });
    expect(b.waitMinutes).toBe(2);
  });
  it("ids beyond 2^53 keep their exact text", () => {
    const h = parseHeader("goroutine 18446744073709551615 [running]:");
    expect(h.idText).toBe("18446744073709551615");
  });
});

describe("function names (synthetic)", () => {
  it("splits packages, receivers, generics and suffixes", () => {
    expect(functionName("net/http.(*conn).serve")).toMatchObject({
      pkg: "net/http",
      receiver: "*conn",
      name: "serve",
    });
    expect(functionName("gopkg.in/yaml.v3.(*decoder).unmarshal")).toMatchObject({
      pkg: "gopkg.in/yaml.v3",
      receiver: "*decoder",
    });
    expect(functionName("main.(*Queue[...]).Pop.func1")).toMatchObject({
      generic: true,
      receiver: "*Queue[...]",
      suffixes: ["func1"],
    });
    expect(functionName("runtime.gcenable.gowrap1").suffixes).toEqual(["gowrap1"]);
    expect(functionName("net/http.HandlerFunc.ServeHTTP")).toMatchObject({
      receiver: "HandlerFunc",
      name: "ServeHTTP",
    });
    expect(functionName("main.main")).toBe(functionName("main.main"));
  });
});

describe("dump shapes (synthetic)", () => {
  const spaced = [
    "goroutine 1 [running]:",
    "main.main()",
    "        C:/Program Files (x86)/Go/src/x.go:12 +0x1d",
    "",
    "goroutine 7 [chan receive, 3 minutes]:",
    "main.worker(...)",
    "        C:/work/app/main.go:40",
    "...3 frames elided...",
    "main.run()",
    "        C:/work/app/main.go:44 +0x20",
    "created by main.main in goroutine 1",
    "        C:/work/app/main.go:10 +0x5d",
    "",
  ].join("\r\n");
  it("CRLF, 8-space indents, Windows paths with spaces and parentheses, elision", () => {
    const d = parseDump(spaced);
    expect(d.goroutines.map((g) => g.id)).toEqual([1, 7]);
    const g = d.goroutines[1]!;
    expect(g.frames[0]).toMatchObject({ file: "C:/work/app/main.go", line: 40, inlined: true });
    expect(g.elided).toEqual([{ index: 1, count: 3 }]);
    expect(g.createdBy).toMatchObject({ parentId: 1, line: 10 });
    expect(d.goroutines[0]!.frames[0]!.file).toBe("C:/Program Files (x86)/Go/src/x.go");
  });
  it("a header glued to preceding output", () => {
    const d = parseDump("...dumping all stacksgoroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n");
    expect(d.goroutines).toHaveLength(1);
    expect(formatDump(d)).toBe("...dumping all stacksgoroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n");
  });
  it("a nested recovered panic with a multi-line value", () => {
    const d = parseDump(
      "panic: first [recovered]\n\tpanic: second\n\tline two\n\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n",
    );
    expect(d.format).toBe("panic");
    expect(d.preamble.panics).toEqual([
      { message: "first", recovered: true, repanicked: false, depth: 0 },
      { message: "second\nline two", recovered: false, repanicked: false, depth: 1 },
    ]);
  });
  it("a file that is not a dump gets one clear error", () => {
    for (const [input, what] of [
      ["<!doctype html><html><body>Not Found</body></html>\n", "HTML"],
      ['{"error": "nope"}\n', "JSON"],
      ["", "empty"],
      ["hello world\nthis is a text file\n", "starts with"],
    ] as const) {
      const d = parseDump(input);
      expect(d.format).toBe("unknown");
      const errors = d.diagnostics.filter((x) => x.severity === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(/^@gosleuth\/parser: not a goroutine dump/);
      expect(errors[0]!.message).toContain(what);
    }
  });
  it("junk inside the dump becomes a diagnostic with its line number, and neighbours survive", () => {
    const d = parseDump(
      "goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n\nJUNK LINE\n\ngoroutine 2 [select]:\nmain.f()\n\t/x.go:2 +0x1\n",
    );
    expect(d.goroutines.map((g) => g.id)).toEqual([1, 2]);
    expect(d.diagnostics).toEqual([
      expect.objectContaining({ severity: "warning", line: 5, text: "JUNK LINE" }),
    ]);
    expect(d.goroutines[1]!.lines).toEqual({ start: 7, end: 9 });
  });
});

describe("runtime stack sections (synthetic: no corpus file has one)", () => {
  it("keeps the g0 frames of a runtime throw in runtimeStack and the raw lines in the preamble", () => {
    const text = [
      "fatal error: stack overflow",
      "",
      "runtime stack:",
      "runtime.throw({0x6aac3f?, 0x870ee0?})",
      "\t/usr/local/go/src/runtime/panic.go:1047 +0x5d fp=0x7f10021dcc18 sp=0x7f10021dcbe8 pc=0x43665d",
      "runtime.newstack()",
      "\t/usr/local/go/src/runtime/stack.go:1103 +0x5cc fp=0x7f10021dcdd0 sp=0x7f10021dcc18 pc=0x44fb8c",
      "",
      "goroutine 1 [running]:",
      "runtime.systemstack_switch()",
      "\t/usr/local/go/src/runtime/asm_amd64.s:459 fp=0xc0200e0390 sp=0xc0200e0388 pc=0x465f20",
      "",
    ].join("\n");
    const d = parseDump(text);
    expect(d.format).toBe("fatal");
    expect(d.runtimeStack?.map((f) => [f.fn.full, f.line, f.fp])).toEqual([
      ["runtime.throw", 1047, "0x7f10021dcc18"],
      ["runtime.newstack", 1103, "0x7f10021dcdd0"],
    ]);
    expect(d.goroutines).toHaveLength(1);
    expect(formatDump(d)).toBe(text);
  });
});

describe("several dumps in one input (real dumps glued by a log)", () => {
  it("each SIGQUIT dump comes out separately", async () => {
    const { readFileSync } = await import("node:fs");
    const { fixture } = await import("@gosleuth/fixtures");
    const { splitDumps } = await import("./index.ts");
    const a = readFileSync(fixture("generated/go-versions/go1.21-spawnfarm-sigquit-all.txt"), "utf8");
    const b = readFileSync(fixture("generated/go-versions/go1.26-spawnfarm-sigquit-system.txt"), "utf8");
    const log = `2026/11/25 03:00:00 service started\n${a}\n2026/11/25 03:05:00 still stuck, sending SIGQUIT again\n${b}`;
    const d = parseDump(log);
    expect(d.dumpCount).toBe(2);
    const parts = splitDumps(d);
    expect(parts.map((p) => [p.format, p.goroutines.length])).toEqual([
      ["signal", parseDump(a).goroutines.length],
      ["signal", parseDump(b).goroutines.length],
    ]);
    expect(parts[1]!.preamble.signal?.header).toBe("SIGQUIT: quit");
  });
});

describe("`created by` interning (synthetic)", () => {
  it("`created by` shares its parsed file line between siblings but keeps each parent id", () => {
    const table = new FrameTable();
    const a = table.createdBy("created by main.(*S).Serve in goroutine 21\n\tspawnfarm/main.go:84 +0x45\n");
    const b = table.createdBy(
      "created by main.(*S).Serve in goroutine 22\r\n        spawnfarm/main.go:84 +0x45\r\n",
    );
    const c = table.createdBy("created by main.main\n\tspawnfarm/main.go:102 +0x1b3\n");
    expect(a).toMatchObject({ parentId: 21, file: "spawnfarm/main.go", line: 84, offset: "0x45" });
    expect(a.indent).toBeUndefined();
    expect(b).toMatchObject({
      parentId: 22,
      file: "spawnfarm/main.go",
      line: 84,
      offset: "0x45",
      indent: "        ",
    });
    expect(c).toMatchObject({ file: "spawnfarm/main.go", line: 102, offset: "0x1b3" });
    expect(c.parentId).toBeUndefined();
    expect(a.fn).toBe(b.fn);
  });
});

describe("a byte-order mark at the start (synthetic: an editor's, never the runtime's)", () => {
  const dump = "goroutine 1 [running]:\nmain.main()\n\t/x/main.go:1 +0x1\n";
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(dump)]);
  it("is skipped, with an info diagnostic, from a string, bytes and a stream of 1-byte chunks", async () => {
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
    for (const d of [parseDump(`\ufeff${dump}`), parseDump(bytes), await parseDumpAsync(chunks)]) {
      expect(d.format).toBe("debug2");
      expect(d.goroutines.map((g) => [g.id, (g as { glued?: string }).glued])).toEqual([[1, undefined]]);
      expect(d.diagnostics.map((x) => x.severity)).toEqual(["info"]);
      expect(d.diagnostics[0]!.message).toMatch(/byte-order mark/);
    }
  });
});

describe("frames whose arguments differ in every goroutine (synthetic)", () => {
  it("are built right when the frame table gives up on them, and repeated frames still share one object", () => {
    // 60,000 goroutines: a frame with unique pointer arguments, and in every fourth one a frame repeated
    // exactly. More distinct pairs than the table holds, mostly misses: frames are then built without it.
    const parts: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const p = (0xc000100000 + i * 16).toString(16);
      parts.push(
        `goroutine ${i + 1} [select]:\nmain.handle(0x${p}, {0x${(i * 7).toString(16)}, 0x${p}})\n\t/app/h.go:${(i % 3) + 10} +0x4${i % 3}\n${i % 4 === 0 ? "main.serve(0x0?)\n\t/app/s.go:5 +0x1\n" : ""}`,
      );
    }
    const d = parseDump(parts.join("\n"));
    expect(d.goroutines).toHaveLength(60_000);
    const serve = d.goroutines[0]!.frames[1]!;
    for (let i = 0; i < 60_000; i += 997) {
      const g = d.goroutines[i]!;
      const p = (0xc000100000 + i * 16).toString(16);
      expect(g.frames[0]).toMatchObject({
        args: `0x${p}, {0x${(i * 7).toString(16)}, 0x${p}}`,
        file: "/app/h.go",
        line: (i % 3) + 10,
        offset: `0x4${i % 3}`,
      });
      expect(g.frames[0]!.fn.full).toBe("main.handle");
      if (i % 4 === 0) expect(g.frames[1]).toEqual(serve);
    }
    // Frames built with the table share one object; built without it, they are equal.
    expect(d.goroutines[4]!.frames[1]).toBe(serve);
    expect(d.goroutines[59_996]!.frames[1]).toEqual(serve);
    // The last goroutine's frames are built after the table gave up; they print back the same.
    expect(
      formatDump({ ...d, goroutines: d.goroutines.slice(-2) }).endsWith(parts.slice(-2).join("\n")),
    ).toBe(true);
  });
});
