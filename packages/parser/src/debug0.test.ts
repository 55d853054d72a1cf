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

  it("an uncompressed profile decodes alike through parseDump, a stream and a stream of 3-byte chunks", async () => {
    const { gunzipSync } = await import("node:zlib");
    const gz = readFileSync(fixture("generated/servers/caddy-2.11-t0-debug0.pb.gz"));
    const raw = new Uint8Array(gunzipSync(gz));
    const want = await parseDumpAsync([gz]);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < raw.length; i += 3) chunks.push(raw.subarray(i, i + 3));
    for (const d of [parseDump(raw), await parseDumpAsync([raw]), await parseDumpAsync(chunks)]) {
      expect(d.format).toBe("debug0");
      expect(d.total).toBe(want.total);
      expect(d.groups.map(key)).toEqual(want.groups.map(key));
    }
  });
});

describe("binary input that is not a profile", () => {
  // An ELF executable's head, a PNG's head and fixed pseudo-random bytes: each is binary, none is a profile.
  const elf = new Uint8Array([
    0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0, 1, 0, 0, 0,
  ]);
  const png = new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
  ]);
  const rnd = new Uint8Array(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251));
  for (const [name, bytes] of [
    ["ELF", elf],
    ["PNG", png],
    ["pseudo-random", rnd],
  ] as const) {
    it(`${name}: one clear error, the same from parseDump and from a stream`, async () => {
      for (const d of [parseDump(bytes), await parseDumpAsync([bytes])]) {
        expect(d.format).toBe("unknown");
        const errors = d.diagnostics.filter((x) => x.severity === "error");
        expect(errors).toHaveLength(1);
        expect(errors[0]!.message).toMatch(/not a goroutine dump: it looks like binary data/);
      }
    });
  }
});
