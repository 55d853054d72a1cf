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
