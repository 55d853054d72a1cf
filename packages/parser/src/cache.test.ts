// Interning caches (headers by the text after the id, frames by their text) never mix up goroutines.
import { describe, expect, it } from "vitest";
import { parseDump } from "./index.ts";

describe("interning caches (synthetic)", () => {
  it("goroutines sharing a header's state text keep their own ids and parents", () => {
    const text = [
      "goroutine 7 [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "created by main.main in goroutine 1",
      "\t/a.go:9 +0x2",
      "",
      "goroutine 9007199254740993 [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "created by main.main in goroutine 1",
      "\t/a.go:9 +0x2",
      "",
      "goroutine 8 [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "created by main.main in goroutine 2",
      "\t/a.go:9 +0x2",
      "",
      "goroutine 10 gp=0xc000001 m=nil [chan receive, 3 minutes]:",
      "main.f()",
      "\t/a.go:1 +0x1",
      "",
    ].join("\n");
    const d = parseDump(text);
    expect(d.goroutines.map((g) => g.idText ?? String(g.id))).toEqual(["7", "9007199254740993", "8", "10"]);
    expect(d.goroutines.map((g) => [g.state, g.waitMinutes])).toEqual([
      ["chan receive", 3],
      ["chan receive", 3],
      ["chan receive", 3],
      ["chan receive", 3],
    ]);
    expect(d.goroutines[0]!.idText).toBeUndefined();
    expect(d.goroutines[3]!.gp).toBe("0xc000001");
    expect(d.goroutines[0]!.gp).toBeUndefined();
    const [a, b, c] = d.goroutines;
    expect(a!.createdBy).toEqual(b!.createdBy);
    expect(a!.createdBy?.fn).toBe(c!.createdBy?.fn);
    expect(c!.createdBy?.parentId).toBe(2);
    expect(a!.frames[0]).toBe(c!.frames[0]);
  });
});
