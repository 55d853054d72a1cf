// The command-line value parsers: what each accepts, and that a bad value is commander's usage error.
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import {
  byteSize,
  durationMs,
  hostHeader,
  modulePath,
  nonNegativeInt,
  pathMap,
  sarifCategory,
} from "./options.ts";

describe("command-line values", () => {
  it("reads durations (a bare number is seconds) and sizes (powers of 1024)", () => {
    expect([
      durationMs("500ms"),
      durationMs("30"),
      durationMs("2m"),
      durationMs("1.5h"),
      durationMs("14d"),
    ]).toEqual([500, 30_000, 120_000, 5_400_000, 1_209_600_000]);
    expect([
      byteSize("12345"),
      byteSize("100k"),
      byteSize("512MB"),
      byteSize("1GiB"),
      byteSize("2 t"),
    ]).toEqual([12_345, 102_400, 512 * 1024 ** 2, 1024 ** 3, 2 * 1024 ** 4]);
    expect(nonNegativeInt("0")).toBe(0);
    expect(hostHeader("[::1]:2019")).toBe("[::1]:2019");
    expect(pathMap("/build/src/=", pathMap("a=b"))).toEqual([
      { from: "a", to: "b" },
      { from: "/build/src/", to: "" },
    ]);
    expect(sarifCategory("gosleuth/leaks/")).toBe("gosleuth/leaks/");
    expect(modulePath("github.com/acme/shop")).toBe("github.com/acme/shop");
  });

  it("turns a bad value into commander's InvalidArgumentError with what was wrong", () => {
    const bad: [(v: string) => unknown, string, string][] = [
      [durationMs, "5 minutes", 'not a duration: "5 minutes"'],
      [byteSize, "1q", 'not a size: "1q"'],
      [nonNegativeInt, "-1", 'not a non-negative integer: "-1"'],
      [nonNegativeInt, "1.5", 'not a non-negative integer: "1.5"'],
      [hostHeader, "a b", 'not a host or host:port: "a b"'],
      [pathMap, "=x", 'expected FROM=TO (TO may be empty), got "=x"'],
      [sarifCategory, "a//b", 'not a category: "a//b"'],
      [modulePath, "github.com/acme/", 'not a Go module path: "github.com/acme/"'],
    ];
    for (const [parse, value, message] of bad) {
      expect(() => parse(value), value).toThrow(InvalidArgumentError);
      expect(() => parse(value), value).toThrow(message);
    }
  });
});
