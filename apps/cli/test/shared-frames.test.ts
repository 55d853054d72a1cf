// Goroutines whose body repeats one read before share that body's frames and elision arrays (the
// parser's BodyPrediction: no copy per goroutine). No consumer may write them: with
// GOSLEUTH_FREEZE_SHARED=1 the parser freezes every shared array, so a write anywhere throws (ES
// modules are strict), and every command must print what it prints without it, on one thread and two.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "gosleuth-shared-"));

/** Goroutines of two kinds repeating their bodies, one kind with an elision marker. */
function repeated(): string {
  const blocks: string[] = [];
  for (let i = 0; i < 40; i++) {
    const id = 10 + i;
    blocks.push(
      i % 2 === 0
        ? `goroutine ${id} [chan receive, ${i} minutes]:\nmain.worker(0xc000010000)\n\t/app/w.go:12 +0x1d\n` +
            "main.loop(...)\n\t/app/w.go:20\n...7 frames elided...\ncreated by main.main in goroutine 1\n\t/app/m.go:9 +0x5\n"
        : `goroutine ${id} [select]:\nmain.server(0xc000020000)\n\t/app/s.go:30 +0x40\n` +
            `main.serve()\n\t/app/s.go:44 +0x11\ncreated by main.main in goroutine ${1 + (i % 3)}\n\t/app/m.go:10 +0x6\n`,
    );
  }
  return `goroutine 1 [running]:\nmain.main()\n\t/app/m.go:11 +0x9\n\n${blocks.join("\n")}`;
}

const COMMANDS = [
  ["summary", "--json"],
  ["tree", "--json"],
  ["leaks", "--format", "json"],
  ["stacks", "--format", "json"],
  ["stacks"],
];

describe("frames arrays shared between goroutines", () => {
  const own = join(tmp, "repeated.txt");
  writeFileSync(own, repeated());
  const inputs = [
    own,
    fixture("labeled/leakybank/leakybank-t0180s-debug2.txt"),
    fixture("generated/go-versions/go1.26-spawnfarm-stack.txt"),
  ];

  for (const input of inputs) {
    it(`no command writes them: ${input.slice(input.lastIndexOf("/") + 1)}`, async () => {
      const runs: [string[], Record<string, string>][] = [];
      for (const threads of ["1", "2"]) {
        for (const c of COMMANDS) runs.push([[...c, "--threads", threads, input], {}]);
      }
      runs.push([["parse", "--ndjson", input], {}]);
      for (const [args] of runs) {
        const plain = await run(args);
        const frozen = await run(args, { env: { GOSLEUTH_FREEZE_SHARED: "1" } });
        expect(frozen.stderr, args.join(" ")).toBe(plain.stderr);
        expect(frozen.code, args.join(" ")).toBe(plain.code);
        expect(frozen.stdout, args.join(" ")).toBe(plain.stdout);
        expect(plain.code, args.join(" ")).toBe(0);
      }
    }, 120_000);
  }
});
