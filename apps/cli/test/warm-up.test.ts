// The warm-up before a big parse (range-parse.ts warmUpKind) changes nothing a command prints: each command
// on one thread and on two, with the warm-up forced (GOSLEUTH_WARM_UP=1) and turned off (=0).
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { WARM_UP_BYTES, wantsWarmUp } from "../src/range-parse.ts";
import { run } from "./helpers.ts";

it("warms up for local files from WARM_UP_BYTES on, as GOSLEUTH_WARM_UP says", () => {
  expect(wantsWarmUp(WARM_UP_BYTES, undefined)).toBe(true);
  expect(wantsWarmUp(WARM_UP_BYTES - 1, undefined)).toBe(false);
  expect(wantsWarmUp(null, undefined)).toBe(false);
  expect(wantsWarmUp(WARM_UP_BYTES, "0")).toBe(false);
  expect(wantsWarmUp(10, "1")).toBe(true);
});

describe("the warm-up leaves every output alone", () => {
  const file = fixture("labeled/leakybank/leakybank-t0320s-debug2.txt");
  for (const cmd of [
    ["summary", "--json"],
    ["tree", "--json"],
    ["leaks", "--format", "json"],
    ["stacks", "--format", "json"],
  ]) {
    for (const threads of ["1", "2"]) {
      it(`${cmd[0]} --threads ${threads}`, async () => {
        const args = [...cmd, file, "--threads", threads];
        const env = { GOSLEUTH_RANGE_BYTES: "65536" };
        const off = await run(args, { env: { ...env, GOSLEUTH_WARM_UP: "0" } });
        const on = await run(args, { env: { ...env, GOSLEUTH_WARM_UP: "1" } });
        expect(off.code).toBe(0);
        expect(on.stdout).toBe(off.stdout);
        expect(on.stderr).toBe(off.stderr);
        expect(on.code).toBe(off.code);
      });
    }
  }
});
