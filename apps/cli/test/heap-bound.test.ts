// The heap growth bound set once a full collection leaves much alive (heap.ts, boundGrowthWhenLive):
// set for summary and tree on a small dump of an unusual shape, not for stacks, not for a small dump.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIG_INPUT_BYTES, YOUNG_GROWTH_BYTES } from "../src/heap.ts";
import { CLI, run } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "gosleuth-heap-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `n` goroutines each in a function of its own: no two stacks alike, so nothing groups. */
function uniqueFunctions(n: number): string {
  const out = ["goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:20 +0x1d\n"];
  for (let i = 0; i < n; i++) {
    out.push(
      `goroutine ${i + 2} [chan receive]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/proc.go:435 +0xce\n` +
        `main.fn${i}(0x${(0xc000100000 + i * 0x60).toString(16)})\n\t/src/app/gen.go:${10 + (i % 5000)} +0x${(0x40 + (i % 200)).toString(16)}\n` +
        "created by main.main in goroutine 1\n\t/src/app/main.go:18 +0x45\n",
    );
  }
  return `${out.join("\n")}\n`;
}

const BOUNDED = /gosleuth: heap growth bounded \(a full collection left \d+ MB\)/;
const env = { GOSLEUTH_DEBUG: "1" };

describe("heap growth bounded by what stays alive", () => {
  const big = join(tmp, "unique-functions.txt");
  const text = uniqueFunctions(100_000);
  writeFileSync(big, text);
  const small = join(tmp, "small.txt");
  writeFileSync(small, uniqueFunctions(2_000));

  it("the big file is between the sizes the static rules use", () => {
    expect(text.length).toBeGreaterThan(YOUNG_GROWTH_BYTES);
    expect(text.length).toBeLessThan(BIG_INPUT_BYTES);
  });

  it("summary and tree bound it on a small dump that keeps much alive; outputs as without", async () => {
    for (const args of [
      ["summary", big, "--json"],
      ["tree", big, "--json"],
    ]) {
      const r = await run(args, { env, timeoutMs: 120_000 });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(BOUNDED);
      const plain = await run(args, { timeoutMs: 120_000 });
      expect(plain.stdout).toBe(r.stdout);
    }
  }, 240_000);

  it("stacks (what it keeps grows with the dump) and small dumps are left alone", async () => {
    const s = await run(["stacks", big, "--limit", "1"], { env, timeoutMs: 120_000 });
    expect(s.code).toBe(0);
    expect(s.stderr).not.toMatch(/heap growth bounded/);
    const t = await run(["summary", small, "--json"], { env });
    expect(t.code).toBe(0);
    expect(t.stderr).not.toMatch(/heap growth bounded/);
  }, 240_000);

  it("node's own --heap-growing-percent is kept", () => {
    // A V8 flag node takes on its command line only (NODE_OPTIONS refuses it).
    const r = spawnSync(process.execPath, ["--heap-growing-percent=30", CLI, "summary", big, "--json"], {
      env: { ...process.env, ...env },
      encoding: "utf8",
      maxBuffer: 1 << 26,
      timeout: 120_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"goroutines": 100001');
    expect(r.stderr).not.toMatch(/heap growth bounded/);
  }, 240_000);
});
