// debug=1 grouped profiles: real Caddy/leakybank profiles, partial pastes, and mutations that must never throw.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDump } from "./index.ts";

const CADDY = readFileSync(fixture("generated/servers/caddy-2.11-t0-debug1.txt"), "utf8");

describe("debug=1 (real)", () => {
  it("groups add up to the printed total, with labels and frames", () => {
    const d = parseDump(CADDY);
    expect(d.format).toBe("debug1");
    expect(d.groups.reduce((a, g) => a + g.count, 0)).toBe(d.total);
    for (const g of d.groups) for (const f of g.frames) expect(f.pc).toMatch(/^0x[0-9a-f]+$/);
  });
  it("a partial paste keeps its groups and warns that they do not add up", () => {
    const cut = CADDY.slice(0, Math.floor(CADDY.length / 2));
    const d = parseDump(cut.slice(0, cut.lastIndexOf("\n\n") + 2));
    expect(d.groups.length).toBeGreaterThan(0);
    expect(d.diagnostics.some((x) => x.severity === "warning" && /add up/.test(x.message))).toBe(true);
  });
});

describe("debug=1 mutations", () => {
  it("never throw and keep every group line that survived", () => {
    const lines = CADDY.split("\n");
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(fc.constant("del"), fc.constant("dup"), fc.string({ unit: "binary", maxLength: 40 })),
          ),
          {
            maxLength: 10,
          },
        ),
        (ops) => {
          const ls = [...lines];
          for (const [at, op] of ops) {
            const i = at % ls.length;
            if (op === "del") ls.splice(i, 1);
            else if (op === "dup") ls.splice(i, 0, ls[i] ?? "");
            else ls.splice(i, 0, op.replace(/\n/g, " "));
          }
          const text = ls.join("\n");
          const d = parseDump(text);
          if (/^\s*\w+ profile: total \d+/.test(text)) {
            expect(d.groups.length).toBe((text.match(/^\d+ @( 0x[0-9a-f]+)*\s*$/gm) ?? []).length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
