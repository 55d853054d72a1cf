// How many parsing threads `--threads` asks for: `auto` leaves a core for V8's background threads, uses
// two threads on two cores only for big files, one on one core; a number is taken as given.
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

  it("auto on two cores: two threads for a file of 512 MiB or more, one below it and for other inputs", () => {
    const MiB = 1024 * 1024;
    expect(threadCount("auto", 2, 512 * MiB, "summary")).toBe(2);
    expect(threadCount(undefined, 2, 1500 * 1e6, "leaks")).toBe(2);
    expect(threadCount(undefined, 2, 1500 * 1e6, "tree")).toBe(2);
    expect(threadCount("auto", 2, 512 * MiB - 1, "summary")).toBe(1);
    expect(threadCount("auto", 2, 158 * 1e6, "summary")).toBe(1);
    // Standard input, URLs: no size.
    expect(threadCount("auto", 2, null, "summary")).toBe(1);
    // `stacks` keeps one thread there (memory); with no kind named, one as well.
    expect(threadCount("auto", 2, 2000 * MiB, "stacks")).toBe(1);
    expect(threadCount("auto", 2, 2000 * MiB)).toBe(1);
    // One core stays one thread; three or more do not depend on the size or the kind.
    expect(threadCount("auto", 1, 2000 * MiB, "summary")).toBe(1);
    expect(threadCount("auto", 4, 10 * MiB, "summary")).toBe(3);
    expect(threadCount("auto", 4, 2000 * MiB, "stacks")).toBe(3);
    // An explicit number wins.
    expect(threadCount("1", 2, 2000 * MiB, "summary")).toBe(1);
    expect(threadCount("2", 2, 10 * MiB, "stacks")).toBe(2);
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
