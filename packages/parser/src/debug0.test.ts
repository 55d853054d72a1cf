// debug=0 protobuf profiles decode to the same groups, labels and counts as their debug=1 twins.
import { readFileSync } from "node:fs";
import { fixture } from "@gosleuth/fixtures";
import type { GoroutineGroup } from "@gosleuth/model";
import { describe, expect, it } from "vitest";
import { parseDump, parseDumpAsync } from "./index.ts";

const key = (g: GoroutineGroup) =>
  `${g.frames.map((f) => `${f.fn?.full}@${f.file}:${f.line}`).join("|")}#${JSON.stringify(g.labels ?? {})}`;

describe("debug=0 (Caddy 2.11 admin endpoint, real)", () => {
  it("decodes to the debug=1 twin's groups, labels and counts (taken moments apart)", async () => {
    const d0 = await parseDumpAsync([readFileSync(fixture("generated/servers/caddy-2.11-t0-debug0.pb.gz"))]);
    const d1 = parseDump(readFileSync(fixture("generated/servers/caddy-2.11-t0-debug1.txt"), "utf8"));
    expect(d0.format).toBe("debug0");
    expect(d0.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
    // The goroutines serving each profile request differ; everything else must match.
    expect(Math.abs((d0.total ?? 0) - (d1.total ?? 0))).toBeLessThanOrEqual(3);
    const one = new Map(d1.groups.map((g) => [key(g), g.count]));
    const zero = new Map(d0.groups.map((g) => [key(g), g.count]));
    let matched = 0;
    let matchedGoroutines = 0;
    for (const [k, c] of zero) {
      if (one.get(k) === c) {
        matched++;
        matchedGoroutines += c;
      }
    }
    expect(matched).toBeGreaterThanOrEqual(d1.groups.length - 3);
    expect(matchedGoroutines).toBeGreaterThanOrEqual((d1.total ?? 0) - 3);
  });

  it("a truncated protobuf gives diagnostics, not a crash", async () => {
    const { gunzipSync, gzipSync } = await import("node:zlib");
    const raw = gunzipSync(readFileSync(fixture("generated/servers/caddy-2.11-t0-debug0.pb.gz")));
    const d = await parseDumpAsync([gzipSync(raw.subarray(0, Math.floor(raw.length / 10)))]);
    expect(d.diagnostics.some((x) => x.severity === "error" || x.severity === "warning")).toBe(true);
  });
});
