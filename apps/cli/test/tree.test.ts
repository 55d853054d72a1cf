// End-to-end: `gosleuth tree` on real dumps: aggregated text, JSON contract, per-goroutine subtree.
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const FARM = fixture("generated/go-versions/go1.26-spawnfarm-stack.txt");

describe("gosleuth tree", () => {
  it("prints the aggregated tree like tree(1), with counts and states", async () => {
    const r = await run(["tree", FARM, "--depth", "2"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1,087 goroutines in \d+ groups/);
    expect(r.stdout).toContain("└─ 2 main.(*Server).Serve  chan receive");
    expect(r.stdout).toMatch(/2 × 30 main\.\(\*Server\)\.serveConn {2}chan receive/);
  });

  it("--json has nodes with id, parent, count, function, creator, state, waitMinutes, sampleIds", async () => {
    const r = await run(["tree", FARM, "--json"]);
    const doc = JSON.parse(r.stdout) as { nodes: Record<string, unknown>[] };
    expect(doc.nodes.length).toBeGreaterThan(3);
    for (const n of doc.nodes) {
      expect(n).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          count: expect.any(Number),
          function: expect.any(String),
          state: expect.any(String),
          waitMinutes: { min: expect.any(Number), max: expect.any(Number) },
          sampleIds: expect.any(Array),
        }),
      );
      expect("parent" in n && "creator" in n).toBe(true);
    }
    expect(doc.nodes.filter((n) => !n.ghost).reduce((a, n) => a + (n.count as number), 0)).toBe(1087);
  });

  it("--per-goroutine --root shows one goroutine's subtree; --dot is Graphviz", async () => {
    const r = await run(["tree", FARM, "--per-goroutine", "--root", "1", "--depth", "1"]);
    expect(r.stdout.split("\n")[0]).toBe("goroutine 1 [running] main.main");
    expect(r.stdout).toContain("main.(*Server).Serve");
    const d = await run(["tree", FARM, "--dot"]);
    expect(d.stdout).toMatch(/^digraph spawn \{/);
  });

  it("explains a bad --root and a profile without a tree", async () => {
    const a = await run(["tree", FARM, "--root", "n99999"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("no such aggregated node");
    const b = await run(["tree", fixture("generated/servers/caddy-2.11-t0-debug1.txt")]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("has no goroutines");
  });
});

describe("start functions skip runtime scaffolding (runtime.goexit, runtime.main above main.main)", () => {
  const SYSTEM = fixture("generated/go-versions/go1.26-spawnfarm-sigquit-system.txt");
  it("tree names main.f for the minimal case (synthetic, written by hand: a Windows pprof goexit frame)", async () => {
    const input =
      "goroutine 1 [chan receive]:\nmain.f()\n\t/x.go:5 +0x1d\nruntime.goexit({})\n\tasm_amd64.s:1700 +0x1\n";
    const r = await run(["tree", "-"], { input });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("main.f  chan receive");
    expect(r.stdout).not.toContain("runtime.goexit");
  });
  it("tree and leaks on a real GOTRACEBACK=system dump name the goroutines' own functions", async () => {
    const tree = await run(["tree", SYSTEM, "--depth", "2"]);
    expect(tree.stdout).not.toContain("runtime.goexit");
    expect(tree.stdout).toContain("main.main  select (no cases)");
    // `go` statement wrappers (shown under GOTRACEBACK=system) are not start functions either.
    expect(tree.stdout).toContain("└─ main.(*Server).Serve  chan receive");
    expect(tree.stdout).not.toMatch(/\.gowrap\d+ /);
    const leaks = JSON.parse((await run(["leaks", SYSTEM, "--format", "json"])).stdout) as {
      findings: { startFunction: string }[];
    };
    const names = leaks.findings.map((f) => f.startFunction);
    expect(names).toContain("main.(*Server).serveConn");
    expect(names.filter((n) => /\.gowrap\d+$/.test(n))).toEqual([]);
    expect(names).not.toContain("runtime.goexit");
  });
  it("summary's longest waits name the start function (synthetic, written by hand: GOTRACEBACK=system frames)", async () => {
    const block = (id: number, fn: string, min: number) =>
      `goroutine ${id} [chan receive, ${min} minutes]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/proc.go:435 +0xce fp=0xc0000 sp=0xc0000 pc=0x4\n${fn}()\n\t/app/x.go:${id} +0x1d fp=0xc0000 sp=0xc0000 pc=0x4\nruntime.goexit({})\n\t/go/src/runtime/asm_amd64.s:1700 +0x1 fp=0xc0000 sp=0xc0000 pc=0x4\ncreated by main.main in goroutine 1\n\t/app/main.go:9 +0x1\n`;
    const input = [block(5, "main.worker", 30), block(6, "main.poller", 12), block(7, "main.worker", 3)].join(
      "\n",
    );
    const j = JSON.parse((await run(["summary", "-", "--json"], { input })).stdout) as {
      longestWaits: { id: number; fn: string }[];
    };
    expect(j.longestWaits.map((w) => [w.id, w.fn])).toEqual([
      [5, "main.worker"],
      [6, "main.poller"],
      [7, "main.worker"],
    ]);
  });
});

describe("a spawn chain deeper than the outline prints (synthetic: goroutine i + 1 started by i)", () => {
  let input = "";
  for (let i = 1; i <= 5_000; i++) {
    input += `goroutine ${i} [chan receive]:\nmain.stage(0x${(i * 8).toString(16)})\n\t/src/main.go:12 +0x1d\n`;
    if (i > 1) input += `created by main.stage in goroutine ${i - 1}\n\t/src/main.go:20 +0x45\n`;
    input += "\n";
  }
  // Both outlines walked one call per level: 5,000 levels overflowed the stack (an internal error, exit 70).
  it("is cut at 1,000 levels with a note, aggregated and per goroutine", async () => {
    for (const args of [
      ["tree", "-"],
      ["tree", "-", "--per-goroutine"],
    ]) {
      const r = await run(args, { input });
      expect(r.code, args.join(" ")).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines.at(-1)).toMatch(
        /^\(cut at 1,000 levels: --depth N prints more of them, --root ID starts at a (group|goroutine) lower down\)$/,
      );
      expect(lines.at(-2)).toMatch(/^ {3000}└─ … 1 more/);
    }
    const all = await run(["tree", "-", "--per-goroutine", "--depth", "5000"], { input });
    expect(all.code).toBe(0);
    expect(all.stdout.trimEnd().split("\n")).toHaveLength(5_000);
    expect(all.stdout).not.toContain("cut at");
  });
});
