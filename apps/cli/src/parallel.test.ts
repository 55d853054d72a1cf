// How many parsing threads `--threads` asks for: `auto` leaves a core for V8's background threads and
// uses one thread on machines of two cores or fewer; a number is taken as given.
import { describe, expect, it } from "vitest";
import { CliError } from "./errors.ts";
import { threadCount } from "./parallel.ts";

describe("threadCount", () => {
  it("auto: one thread on one or two cores, else one fewer than the cores, at most 4", () => {
    const auto = [1, 2, 3, 4, 5, 6, 8, 64].map((cores) => threadCount("auto", cores));
    expect(auto).toEqual([1, 1, 2, 3, 4, 4, 4, 4]);
    expect(threadCount(undefined, 2)).toBe(1);
    expect(threadCount(undefined, 16)).toBe(4);
  });

  it("takes an explicit number as given, whatever the cores", () => {
    expect(threadCount("2", 2)).toBe(2);
    expect(threadCount("1", 16)).toBe(1);
    expect(threadCount("8", 2)).toBe(8);
  });

  it("rejects what is not a whole number from 1 to 64 as a usage error", () => {
    for (const bad of ["0", "65", "1.5", "two", ""]) {
      expect(() => threadCount(bad, 4)).toThrow(/--threads: expected a whole number from 1 to 64/);
    }
    let err: unknown;
    try {
      threadCount("0", 4);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
  });
});
