// `gosleuth agent` end to end on loopback: recorded dumps and hostile answers from replay servers, a targets
// file edited while it runs, the findings API, the page, --keep, and requests meant to break the server.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, type RunningAgent, sample, startAgent, until } from "./agent-helpers.ts";
import { hasChromium, openViewer } from "./browser.ts";
import { run } from "./helpers.ts";
// @ts-expect-error: a plain ES module shared with the load benchmark (no type declarations)
import { CADDY, LEAKYBANK, LEAKYBANK_DEBUG1, startReplay } from "./replay-server.mjs";

// Hand-written dump: one group whose function name carries HTML and terminal escape sequences.
const HOSTILE_FN = "main.<script>alert(1)</script>\u001b]0;pwned\u0007";
const hostileDump = Array.from(
  { length: 30 },
  (_, i) =>
    `goroutine ${i + 10} [chan receive, 7 minutes]:\n${HOSTILE_FN}(0x1)\n\t/src/main.go:10 +0x1\ncreated by main.serve in goroutine ${i + 100}\n\t/src/main.go:5 +0x2\n`,
).join("\n");

const NAMES = [
  "leakybank",
  "caddy",
  "hang",
  "html",
  "status500",
  "truncated",
  "huge",
  "hostile",
  "bank1",
] as const;
const SPECS = [
  { kind: "sequence", files: LEAKYBANK },
  { kind: "sequence", files: [CADDY] },
  { kind: "hang" },
  { kind: "html" },
  { kind: "status", code: 500 },
  { kind: "truncated", file: CADDY },
  { kind: "huge", bytes: 2 * 1024 ** 3 },
  { kind: "text", body: hostileDump },
  { kind: "sequence", files: [LEAKYBANK_DEBUG1] },
];

let replay: {
  ports: number[];
  hits: number[];
  last: ({ path: string; host: string } | null)[];
  close(): Promise<void>;
};
let agent: RunningAgent;
let dir: string;
let startedAt = 0;
const inst = (name: (typeof NAMES)[number]) => `127.0.0.1:${replay.ports[NAMES.indexOf(name)]}`;
// bank1 is scraped as debug=1 on its own path, with its own Host header (meta labels of its group).
const META: Record<string, Record<string, string>> = {
  bank1: { __metrics_path__: "/pprof/goroutine", __param_debug: "1", __host_header__: "bank.internal" },
};
const groups = (names: readonly string[]) =>
  JSON.stringify(
    names.map((n) => ({
      targets: [`127.0.0.1:${replay.ports[NAMES.indexOf(n as never)]}`],
      labels: { service: n, ...META[n] },
    })),
  );
const metrics = async () => (await get(agent.url, "/metrics")).body;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gosleuth-agent-"));
  replay = await startReplay(SPECS);
  writeFileSync(join(dir, "targets.json"), groups(NAMES));
  startedAt = Date.now();
  agent = await startAgent([
    "--targets",
    join(dir, "targets.json"),
    "--every",
    "1s",
    "--timeout",
    "3s",
    "--max-bytes",
    "8MB",
    "--reload",
    "300ms",
    "--keep",
    join(dir, "keep"),
  ]);
});

afterAll(async () => {
  await agent?.stop();
  await replay?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("gosleuth agent", () => {
  it("serves every healthy target and says why each faulty one is down, in gosleuth_target_up and the log", async () => {
    const want: [(typeof NAMES)[number], string][] = [
      ["hang", "timeout"],
      ["html", "not_a_dump"],
      ["status500", "http_status"],
      ["truncated", "truncated"],
      ["huge", "too_large"],
    ];
    // Generous: on a loaded 2-core machine the first scrapes and the leak analysis can take a while.
    const text = await until("every target's state", 100_000, async () => {
      const m = await metrics();
      const ok =
        ["leakybank", "caddy", "hostile"].every(
          (n) => sample(m, "gosleuth_target_up", { instance: inst(n as never), reason: "" }) === 1,
        ) &&
        want.every(([n, reason]) => sample(m, "gosleuth_target_up", { instance: inst(n), reason }) === 0) &&
        (sample(m, "gosleuth_leak_suspects", { service: "leakybank", severity: "high" }) ?? 0) >= 1;
      return ok ? m : undefined;
    });
    expect(sample(text, "gosleuth_leak_suspects", { service: "caddy", severity: "high" })).toBe(0);
    expect(sample(text, "gosleuth_goroutines", { service: "caddy" })).toBe(2711);
    expect(sample(text, "gosleuth_scrape_bytes", { service: "caddy" })).toBe(readFileSync(CADDY).length);
    for (const [n, reason] of want)
      expect(agent.log()).toMatch(new RegExp(`${inst(n)} \\(.*\\): down: ${reason}: `));
    // The 2 GB body was cut at the cap: the replay server never got far.
    expect(replay.hits[NAMES.indexOf("huge")]).toBeGreaterThan(0);
  });

  it("scrapes a debug=1 target on its own path and Host: counts and groups, no leak analysis", async () => {
    const m = await until("bank1's goroutines", 20_000, async () => {
      const t = await metrics();
      return sample(t, "gosleuth_goroutines", { service: "bank1" }) !== undefined ? t : undefined;
    });
    const i = NAMES.indexOf("bank1");
    expect(replay.last[i]).toEqual({ path: "/pprof/goroutine?debug=1", host: "bank.internal" });
    expect(replay.last[0]!.path).toBe("/debug/pprof/goroutine?debug=2");
    // The debug=1 file's header: `goroutine profile: total 1696`.
    expect(sample(m, "gosleuth_goroutines", { service: "bank1" })).toBe(1696);
    expect(sample(m, "gosleuth_leak_suspects", { service: "bank1" })).toBeUndefined();
    const top = m
      .split("\n")
      .filter((l) => l.startsWith("gosleuth_group_goroutines{") && l.includes('service="bank1"'));
    expect(top.length).toBeGreaterThan(3);
    expect(top.some((l) => l.includes('function="main.(*Exporter).enqueue"'))).toBe(true);
  });

  it("exports the top groups with bounded label values and dump text as inert text", async () => {
    const m = await metrics();
    const lines = m.split("\n").filter((l) => l.startsWith("gosleuth_group_goroutines{"));
    const perTarget = new Map<string, number>();
    for (const l of lines) {
      const i = /instance="([^"]+)"/.exec(l)![1]!;
      perTarget.set(i, (perTarget.get(i) ?? 0) + 1);
    }
    for (const n of perTarget.values()) expect(n).toBeLessThanOrEqual(10);
    expect(perTarget.get(inst("leakybank"))).toBe(10);
    const hostile = lines.find((l) => l.includes(`instance="${inst("hostile")}"`));
    expect(hostile).toContain("\\\\x1b]0;pwned\\\\x07");
    expect(m).not.toContain("\u001b");
    expect(hostile).toMatch(/ 30$/);
  });

  it("answers the findings API with each target's leak report", async () => {
    const all = JSON.parse((await get(agent.url, "/api/v1/findings")).body);
    expect(all.version).toBe(1);
    expect(all.targets.length).toBe(NAMES.length);
    const r = await get(agent.url, `/api/v1/findings?target=${encodeURIComponent(inst("leakybank"))}`);
    const bank = JSON.parse(r.body);
    expect(bank.target.labels).toEqual({ instance: inst("leakybank"), service: "leakybank" });
    expect(bank.report.version).toBe(2);
    const high = bank.report.findings.filter((f: { severity: string }) => f.severity === "high");
    expect(high.map((f: { startFunction: string }) => f.startFunction)).toEqual(
      expect.arrayContaining(["main.(*Exporter).enqueue", "main.(*Watcher).watch"]),
    );
    const down = JSON.parse((await get(agent.url, `/api/v1/findings?target=${inst("status500")}`)).body);
    expect(down).toMatchObject({ up: false, reason: "http_status", report: null });
    expect(down.error).toContain("HTTP 500");
    expect((await get(agent.url, "/api/v1/findings?target=nope:1")).status).toBe(404);
  });

  it("renders the page with dump text escaped, and opens a target's dump for the viewer", async () => {
    const page = await get(agent.url, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.body).toContain(inst("leakybank"));
    expect(page.body).toContain("main.(*Exporter).enqueue");
    expect(page.body).toContain("main.&lt;script&gt;alert(1)&lt;/script&gt;\\x1b]0;pwned\\x07");
    expect(page.body).not.toMatch(/<script|\u001b/);
    const link = /href="(\/viewer\/\?src=[^"]+)"/.exec(page.body);
    if (link) expect((await get(agent.url, link[1]!.replace(/&amp;/g, "&"))).body).toContain("<html");
    const dump = await get(agent.url, `/api/v1/snapshot?target=${encodeURIComponent(inst("caddy"))}`);
    expect(dump.status).toBe(200);
    expect(dump.body).toBe(readFileSync(CADDY, "utf8"));
  });

  it.skipIf(!hasChromium)("the page's viewer link opens the target's dump in the viewer", async () => {
    const page = (await get(agent.url, "/")).body;
    const row = page.split("<tr>").find((r) => r.includes(inst("hostile")))!;
    const href = /href="(\/viewer\/\?src=[^"]+)"/.exec(row)?.[1]?.replace(/&amp;/g, "&");
    expect(href, "the viewer is built (pnpm build) and linked").toBeDefined();
    const shown = await openViewer(new URL(href!, agent.url).href);
    expect(shown.state).toBe("ready");
    expect(shown.errors).toEqual([]);
    // The hostile function name is shown as text.
    expect(shown.text).toContain("alert(1)");
  });

  it("refuses malformed URLs, foreign Host headers and cross-site requests, and keeps serving", async () => {
    expect((await get(agent.url, "/%")).status).toBe(400);
    expect((await get(agent.url, "/%E0%A4%A")).status).toBe(400);
    const port = new URL(agent.url).port;
    expect((await get(agent.url, "/metrics", { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await get(agent.url, "/api/v1/findings", { origin: "http://attacker.example" })).status).toBe(
      403,
    );
    expect((await get(agent.url, "/api/v1/findings", { "sec-fetch-site": "cross-site" })).status).toBe(403);
    // A Host carrying control characters is refused and never reaches the log.
    const before = agent.log().length;
    for (const host of [`x\tb:${port}`, `x\u009b31m:${port}`])
      expect((await get(agent.url, "/metrics", { host })).status).toBe(403);
    expect(agent.log().slice(before)).not.toMatch(/[\t\u0080-\u009f]/);
    expect((await get(agent.url, "/metrics", { host: `localhost:${port}` })).status).toBe(200);
    expect((await get(agent.url, "/-/healthy")).body).toBe("ok\n");
  });

  it("keeps the snapshot that first raised a high finding, byte for byte, with its report", async () => {
    const keep = join(dir, "keep");
    const bank = `127.0.0.1_${replay.ports[NAMES.indexOf("leakybank")]}`;
    const kept = await until("a kept leakybank snapshot", 20_000, async () => {
      const f = readdirSync(keep).filter((x) => x.endsWith(".txt") && x.includes(bank));
      return f.length > 0 ? f : undefined;
    });
    const body = readFileSync(join(keep, kept[0]!));
    expect(LEAKYBANK.some((f: string) => readFileSync(f).equals(body))).toBe(true);
    const meta = JSON.parse(readFileSync(join(keep, kept[0]!.replace(/\.txt$/, ".json")), "utf8"));
    expect(meta.target.labels.service).toBe("leakybank");
    expect(meta.report.summary.high).toBeGreaterThan(0);
    // Caddy raised no high finding and the faulty targets gave no dump: nothing of theirs is kept.
    const others = ["caddy", "truncated", "huge"].map(
      (n) => `127.0.0.1_${replay.ports[NAMES.indexOf(n as never)]}`,
    );
    expect(readdirSync(keep).filter((f) => others.some((o) => f.includes(o)))).toEqual([]);
  });

  it("backs off from a failing target (1 s, 2 s, 4 s ...) and logs its failure once", async () => {
    // The agent's own record of the waits it chose, not how many scrapes fit into wall time: a loaded machine
    // makes scrapes late, never changes which wait follows which.
    type Schedule = { attempts: number; failuresInRow: number; waitsMs: number[] };
    const schedule = async (n: (typeof NAMES)[number]) =>
      JSON.parse((await get(agent.url, `/api/v1/findings?target=${encodeURIComponent(inst(n))}`)).body)
        .schedule as Schedule;
    const failing = await until("three failed scrapes of status500", 90_000, async () => {
      const s = await schedule("status500");
      return s.waitsMs.length >= 3 ? s : undefined;
    });
    const n = failing.waitsMs.length;
    expect(failing.waitsMs).toEqual(Array.from({ length: n }, (_, k) => 1000 * 2 ** k));
    expect(failing.failuresInRow).toBe(failing.attempts);
    // Every attempt reached the replay server (one more may be in flight); none came between the slots.
    const i = NAMES.indexOf("status500");
    expect(replay.hits[i]).toBeGreaterThanOrEqual(failing.attempts);
    expect(replay.hits[i]).toBeLessThanOrEqual(failing.attempts + 1);
    // Load can only make scrapes late: without backoff it would have been asked about once a second.
    const secs = (Date.now() - startedAt) / 1000;
    expect(replay.hits[i]).toBeLessThanOrEqual(Math.ceil(1 + Math.log2(secs)));
    expect(agent.log().match(new RegExp(`${inst("status500")} .*down: http_status`, "g"))).toHaveLength(1);
    // A healthy target keeps its interval.
    const healthy = await until("three caddy scrapes", 60_000, async () => {
      const s = await schedule("caddy");
      return s.waitsMs.length >= 3 ? s : undefined;
    });
    expect(healthy.waitsMs.every((w) => w === 1000)).toBe(true);
    expect(healthy.failuresInRow).toBe(0);
    const caddyScrapes = sample(await metrics(), "gosleuth_target_scrapes_total", { service: "caddy" });
    expect(caddyScrapes).toBeGreaterThanOrEqual(healthy.waitsMs.length);
  });

  it("drops a target that disappears from the file, says so, and keeps scraping the others", async () => {
    const before = sample(await metrics(), "gosleuth_target_scrapes_total", { service: "caddy" }) ?? 0;
    writeFileSync(join(dir, "targets.json"), groups(NAMES.filter((n) => n !== "hang")));
    const m = await until("the removal", 15_000, async () => {
      const t = await metrics();
      return sample(t, "gosleuth_target_up", { instance: inst("hang"), reason: "removed" }) === 0
        ? t
        : undefined;
    });
    expect(sample(m, "gosleuth_scrape_duration_seconds", { instance: inst("hang") })).toBeUndefined();
    expect(agent.log()).toMatch(new RegExp(`${inst("hang")} .*removed from the targets`));
    await until("more caddy scrapes", 15_000, async () => {
      const n = sample(await metrics(), "gosleuth_target_scrapes_total", { service: "caddy" }) ?? 0;
      return n > before ? n : undefined;
    });
    // A broken edit keeps the targets already loaded.
    writeFileSync(join(dir, "targets.json"), "[{");
    await until("the error in the log", 10_000, async () =>
      /targets\.json: not valid JSON.*keeping the 8 targets/.test(agent.log()) ? true : undefined,
    );
  });
});

describe("gosleuth agent usage errors", () => {
  it.each([
    [[], /needs --targets FILE .* or at least one --target URL/],
    [["--target", "a:1", "--listen", "nope"], /--listen nope: expected host:port/],
    [["--target", "a:1", "--shard", "3/3"], /--shard 3\/3: expected i\/n/],
    [["--targets", "/nonexistent/targets.json"], /targets\.json: no such targets file/],
    [["--target", "ftp://a:1/x"], /only http and https/],
    [["--target", "a:1", "--window", "0"], /--window must be from 1 to 1000/],
    [["--target", "a:1", "--every", "0s"], /--every must be at least 100ms/],
  ])("%j exits 2 with one line", async (args, msg) => {
    const r = await run(["agent", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
