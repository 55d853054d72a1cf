// How many parsing threads `--threads` asks for: `auto` leaves a core for V8's background threads, and
// on two cores uses a second thread only for files of 512 MB and more; a number is taken as given.
import { describe, expect, it } from "vitest";
import { CliError } from "./errors.ts";
import { threadCount } from "./parallel.ts";

const MB = 1024 * 1024;
const GB = 1024 * MB;

describe("threadCount", () => {
  it("auto: one fewer than the cores from three cores on, at most 4, whatever the size", () => {
    const auto = [3, 4, 5, 6, 8, 64].map((cores) => threadCount("auto", 1, cores));
    expect(auto).toEqual([2, 3, 4, 4, 4, 4]);
    expect(threadCount(undefined, null, 16)).toBe(4);
    expect(threadCount("auto", 2 * GB, 4)).toBe(3);
  });

  it("auto on two cores: two threads from 512 MB on, one below or when the size is unknown", () => {
    expect(threadCount("auto", 512 * MB, 2)).toBe(2);
    expect(threadCount("auto", 1.5 * GB, 2)).toBe(2);
    expect(threadCount(undefined, 512 * MB - 1, 2)).toBe(1);
    expect(threadCount("auto", 157 * MB, 2)).toBe(1);
    expect(threadCount("auto", null, 2)).toBe(1);
  });

  it("auto on one core: one thread at any size", () => {
    expect(threadCount("auto", 1.5 * GB, 1)).toBe(1);
  });

  it("takes an explicit number as given, whatever the cores", () => {
    expect(threadCount("2", null, 2)).toBe(2);
    expect(threadCount("1", 1.5 * GB, 16)).toBe(1);
    expect(threadCount("8", 1, 2)).toBe(8);
  });

  it("rejects what is not a whole number from 1 to 64 as a usage error", () => {
    for (const bad of ["0", "65", "1.5", "two", ""]) {
      expect(() => threadCount(bad, null, 4)).toThrow(/--threads: expected a whole number from 1 to 64/);
    }
    let err: unknown;
    try {
      threadCount("0", null, 4);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
  });
});
