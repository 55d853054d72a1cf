// Targets from file_sd text and --target URLs, and the hashmod shards (checked against Prometheus itself in
// test/agent-prometheus.test.ts). The file_sd texts here are hand-written.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PATH,
  dedupe,
  hashmod,
  inShard,
  parseFileSd,
  parseShard,
  parseTargetUrl,
  TargetsError,
} from "./targets.ts";

const d = { path: DEFAULT_PATH };

describe("parseFileSd", () => {
  it("gives one target per host:port with the group's labels, the default path, and meta labels applied", () => {
    const text = JSON.stringify([
      { targets: ["10.0.0.1:6060", "bank:6060"], labels: { job: "bank", env: "prod" } },
      {
        targets: ["[::1]:2019"],
        labels: {
          __metrics_path__: "/pprof/goroutine",
          __param_debug: "1",
          __host_header__: "caddy.internal",
          state: "x",
        },
      },
    ]);
    const ts = parseFileSd(text, "t.json", d);
    expect(ts.map((t) => t.url)).toEqual([
      "http://10.0.0.1:6060/debug/pprof/goroutine?debug=2",
      "http://bank:6060/debug/pprof/goroutine?debug=2",
      "http://[::1]:2019/pprof/goroutine?debug=1",
    ]);
    expect(ts[0]!.labels).toEqual({ instance: "10.0.0.1:6060", job: "bank", env: "prod" });
    expect(ts[0]!.debug1).toBe(false);
    // Meta labels are not exported; a label named like one of the agent's own gets a prefix.
    expect(ts[2]!.labels).toEqual({ instance: "[::1]:2019", target_state: "x" });
    expect(ts[2]!.debug1).toBe(true);
    expect(ts[2]!.hostHeader).toBe("caddy.internal");
  });

  it.each([
    ["{", /t\.json: not valid JSON/],
    ['{"targets": []}', /expected a JSON array/],
    ['[{"targets": "a:1"}]', /group 1: "targets" must be an array/],
    ['[{"targets": ["a:1"]}, {"targets": ["no-port"]}]', /group 2: "no-port" is not host:port/],
    ['[{"targets": ["a:1"], "labels": {"bad-name": "x"}}]', /group 1: "bad-name" is not a valid label name/],
    ['[{"targets": ["a:1"], "labels": {"__param_debug": "7"}}]', /__param_debug must be 0, 1 or 2/],
    ['[{"targets": ["a:1"], "labels": {"__scheme__": "ftp"}}]', /__scheme__ must be http or https/],
  ])("refuses %s with a message naming the file and group", (text, msg) => {
    expect(() => parseFileSd(text, "t.json", d)).toThrow(TargetsError);
    expect(() => parseFileSd(text, "t.json", d)).toThrow(msg);
  });
});

describe("parseTargetUrl", () => {
  it("keeps a full URL, gives a bare host:port or a root URL the default path", () => {
    expect(parseTargetUrl("http://a:1/debug/pprof/goroutine?debug=1", d)).toMatchObject({
      address: "a:1",
      debug1: true,
      labels: { instance: "a:1" },
    });
    expect(parseTargetUrl("a:1", d).url).toBe("http://a:1/debug/pprof/goroutine?debug=2");
    expect(parseTargetUrl("http://a:1", d).url).toBe("http://a:1/debug/pprof/goroutine?debug=2");
    expect(() => parseTargetUrl("ftp://a:1/x", d)).toThrow(/only http and https/);
  });

  it("drops later duplicates", () => {
    const r = dedupe([parseTargetUrl("a:1", d), parseTargetUrl("http://a:1", d), parseTargetUrl("b:1", d)]);
    expect(r.targets.map((t) => t.address)).toEqual(["a:1", "b:1"]);
    expect(r.duplicates).toEqual(["http://a:1/debug/pprof/goroutine?debug=2"]);
  });
});

describe("shards", () => {
  it("parses i/n and refuses the rest", () => {
    expect(parseShard("1/3")).toEqual({ index: 1, count: 3 });
    for (const bad of ["3/3", "1", "a/b", "0/0"]) expect(() => parseShard(bad)).toThrow(/expected i\/n/);
  });

  it("puts every target in exactly one of n shards, spread across them", () => {
    const ts = Array.from({ length: 300 }, (_, i) => parseTargetUrl(`10.0.${i >> 8}.${i & 255}:6060`, d));
    const sizes = [0, 0, 0];
    for (const t of ts) {
      const mine = [0, 1, 2].filter((i) => inShard(t, { index: i, count: 3 }));
      expect(mine).toHaveLength(1);
      sizes[mine[0]!]!++;
      expect(hashmod(t.address, 3)).toBe(mine[0]);
    }
    for (const n of sizes) expect(n).toBeGreaterThan(60);
  });
});
