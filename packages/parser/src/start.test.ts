// The start function rule (the model's startFrame) on parsed dumps: runtime scaffolding is never a start function.
import { readFileSync } from "node:fs";
import { corpus, fixture, hasSharedCorpus } from "@gosleuth/fixtures";
import { type Dump, startFrame, startFunctionName } from "@gosleuth/model";
import { describe, expect, it } from "vitest";
import { parseDump } from "./index.ts";

const starts = (d: Dump) => {
  const m = new Map<string, number>();
  for (const g of d.goroutines) {
    const s = startFunctionName(g.frames);
    m.set(s, (m.get(s) ?? 0) + 1);
  }
  return m;
};

describe("start function (synthetic minimal cases, written by hand)", () => {
  it("skips a Windows pprof dump's runtime.goexit({})", () => {
    const d = parseDump(
      "goroutine 1 [chan receive]:\nmain.f()\n\t/x.go:5 +0x1d\nruntime.goexit({})\n\tasm_amd64.s:1700 +0x1\n",
    );
    expect(d.goroutines[0]!.frames.map((f) => f.fn.full)).toEqual(["main.f", "runtime.goexit"]);
    expect(startFunctionName(d.goroutines[0]!.frames)).toBe("main.f");
    expect(startFrame(d.goroutines[0]!.frames)?.line).toBe(5);
  });
  it("skips runtime.main above main.main, but not runtime.main alone or above something else", () => {
    const main = parseDump(
      "goroutine 1 [select (no cases)]:\nmain.main()\n\t/x.go:9 +0x1\nruntime.main()\n\t/r/proc.go:283 +0x28b\nruntime.goexit({})\n\t/r/asm_amd64.s:1700 +0x1\n",
    );
    expect(startFunctionName(main.goroutines[0]!.frames)).toBe("main.main");
    const init = parseDump(
      "goroutine 1 [chan receive]:\npkg.init.0()\n\t/p.go:3 +0x1\nruntime.main()\n\t/r/proc.go:283 +0x28b\nruntime.goexit({})\n\t/r/asm_amd64.s:1700 +0x1\n",
    );
    expect(startFunctionName(init.goroutines[0]!.frames)).toBe("runtime.main");
    const alone = parseDump("goroutine 7 [runnable]:\nruntime.goexit()\n\t/r/asm_amd64.s:1700 +0x1\n");
    expect(startFunctionName(alone.goroutines[0]!.frames)).toBe("runtime.goexit");
    expect(startFunctionName([])).toBe("");
  });
  it("skips a `go` statement's wrapper (….gowrapN), but not a closure inside one or a wrapper alone", () => {
    const wrapped = parseDump(
      "goroutine 9 [chan receive]:\nmain.(*S).serve(0x1)\n\t/x.go:81 +0x1\nmain.main.gowrap1()\n\t/x.go:112 +0x25\nruntime.goexit({})\n\t/r/asm_amd64.s:1771 +0x1\n",
    );
    expect(startFunctionName(wrapped.goroutines[0]!.frames)).toBe("main.(*S).serve");
    const closure = parseDump(
      "goroutine 9 [chan receive]:\nmain.(*C).h.gowrap5.(*C).deep.1()\n\t/x.go:47 +0x1c\nruntime.goexit({})\n\t/r/asm_amd64.s:1771 +0x1\n",
    );
    expect(startFunctionName(closure.goroutines[0]!.frames)).toBe("main.(*C).h.gowrap5.(*C).deep.1");
    const alone = parseDump("goroutine 9 [runnable]:\nmain.main.gowrap12()\n\t/x.go:1 +0x1\n");
    expect(startFunctionName(alone.goroutines[0]!.frames)).toBe("main.main.gowrap12");
    const notWrapper = parseDump(
      "goroutine 9 [runnable]:\nf()\n\t/x.go:2 +0x1\nmain.gowrapper()\n\t/x.go:1 +0x1\n",
    );
    expect(startFunctionName(notWrapper.goroutines[0]!.frames)).toBe("main.gowrapper");
  });
});

describe("start function (real dumps)", () => {
  for (const v of ["1.19", "1.21", "1.22", "1.23", "1.24", "1.26", "1.27"]) {
    it(`go${v}: GOTRACEBACK=system (runtime.goexit printed) names what GOTRACEBACK=all names`, () => {
      const read = (k: string) =>
        parseDump(readFileSync(fixture(`generated/go-versions/go${v}-spawnfarm-sigquit-${k}.txt`), "utf8"));
      const system = read("system");
      expect(system.goroutines.some((g) => g.frames.at(-1)?.fn.full === "runtime.goexit")).toBe(true);
      const s = starts(system);
      expect(s.has("runtime.goexit")).toBe(false);
      expect(s.has("runtime.main")).toBe(false);
      expect(s.get("main.main")).toBe(1);
      expect(startFunctionName(system.goroutines.find((g) => g.id === 1)!.frames)).toBe("main.main");
      expect([...s].sort()).toEqual([...starts(read("all"))].sort());
    });
  }
  it("go1.26: a SIGQUIT dump under GOTRACEBACK=system (wrappers shown) names the start functions runtime.Stack names", () => {
    const read = (name: string) => parseDump(readFileSync(fixture(`generated/go-versions/${name}`), "utf8"));
    const system = read("go1.26-spawnfarm-sigquit-system.txt");
    // The runtime shows `go` statement wrappers here: they must be there for this test to mean anything.
    expect(
      system.goroutines.filter((g) => /\.gowrap\d+$/.test(g.frames.at(-2)?.fn.full ?? "")).length,
    ).toBeGreaterThan(100);
    const stack = new Set(starts(read("go1.26-spawnfarm-stack.txt")).keys());
    for (const name of starts(system).keys()) {
      expect(name).not.toMatch(/\.gowrap\d+$/);
      if (name.startsWith("main.")) expect(stack.has(name), name).toBe(true);
    }
  });
  it.skipIf(!hasSharedCorpus)("signal dumps from the wild name no runtime.goexit start", () => {
    for (const f of [
      "index-fyne-sigabrt-go1.26-trimpath-cgo.txt",
      "index-open2opaque-repro-sigabrt-go1.25-darwin-arm64.txt",
      "index-stapelberg-blog-sigquit-go1.23-excerpt.txt",
    ]) {
      const d = parseDump(readFileSync(corpus(`public/${f}`), "utf8"));
      expect(d.goroutines.length).toBeGreaterThan(1);
      for (const g of d.goroutines) {
        if (g.frames.length > 1)
          expect(startFunctionName(g.frames), `${f} goroutine ${g.id}`).not.toBe("runtime.goexit");
      }
    }
  });
});
