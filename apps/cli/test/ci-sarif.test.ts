// CI-shaped end to end: fetch a series from a pprof endpoint, gate on it with SARIF that code scanning can place.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, listFixtures, REPO_ROOT } from "@gosleuth/fixtures";
import type { toSarif } from "@gosleuth/leaks";
import { githubSarifProblems, sarifSchemaErrors } from "@gosleuth/leaks/sarif-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

// The recorded leakybank snapshots, served in order: request i gets snapshot i (the last one after that).
const SNAPS = listFixtures("labeled/leakybank")
  .filter((f) => f.endsWith("-debug2.txt"))
  .map((f) => readFileSync(fixture(f)));
const PROGRAM = "packages/fixtures/programs/leakybank";
type Log = ReturnType<typeof toSarif>;

let server: Server;
let url = "";
let served = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (!req.url?.startsWith("/debug/pprof/goroutine")) return void res.writeHead(404).end();
    const body = SNAPS[Math.min(served++, SNAPS.length - 1)]!;
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/goroutine?debug=2`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

function expectPlaced(log: Log): void {
  expect(sarifSchemaErrors(log)).toEqual([]);
  expect(githubSarifProblems(log)).toEqual([]);
  const results = log.runs[0]!.results!;
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) {
    const uri = r.locations![0]!.physicalLocation!.artifactLocation!.uri!;
    expect(uri.startsWith(`${PROGRAM}/`), uri).toBe(true);
    expect(existsSync(join(REPO_ROOT, decodeURIComponent(uri))), uri).toBe(true);
  }
}

describe("CI: fetch a series, gate with SARIF", () => {
  it("fetch → leaks --format sarif --fail-on high --path-map: exit 1, one stderr line, results in repo files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gosleuth-ci-"));
    const f = await run([
      "fetch",
      url,
      "--every",
      "1s",
      "--count",
      String(SNAPS.length),
      "--out",
      join(dir, "snap-{n}.txt"),
    ]);
    expect(f.code, f.stderr).toBe(0);
    const files = readdirSync(dir)
      .filter((x) => x.startsWith("snap-"))
      .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
      .map((x) => join(dir, x));
    expect(files).toHaveLength(SNAPS.length);

    const r = await run(
      ["leaks", ...files, "--format", "sarif", "--fail-on", "high", "--path-map", `leakybank/=${PROGRAM}/`],
      { env: { CI: "1" } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gosleuth: \d+ incidents? at or above high\n$/);
    const log = JSON.parse(r.stdout) as Log;
    expectPlaced(log);
    // The four planted leaks, each at its line of main.go.
    const lines = log.runs[0]!.results!.filter((x) => x.level === "error").map(
      (x) => x.locations![0]!.physicalLocation!.region!.startLine ?? 0,
    );
    expect(lines.sort((a, b) => a - b)).toEqual([47, 53, 70, 78]);
  });

  it("the module from a go.mod beside the run places results without a path map", async () => {
    const last = fixture("labeled/leakybank/leakybank-t0320s-debug2.txt");
    const r = await run(["leaks", last, "--format", "sarif"], { cwd: join(REPO_ROOT, PROGRAM) });
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout) as Log;
    expect(log.runs[0]!.properties!.module).toBe("leakybank");
    expect(log.runs[0]!.automationDetails!.id).toBe("gosleuth/leaks/");
    const named = await run(["leaks", last, "--format", "sarif", "--sarif-category", "gosleuth/bank"], {
      cwd: join(REPO_ROOT, PROGRAM),
    });
    expect(JSON.parse(named.stdout).runs[0].automationDetails.id).toBe("gosleuth/bank/");
    expectPlaced(log);
  });

  it("reads the path map from gosleuth.config.json, and refuses a bad one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gosleuth-cfg-"));
    const { writeFileSync } = await import("node:fs");
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ sarif: { pathMap: { "leakybank/": `${PROGRAM}/` } } }));
    const last = fixture("labeled/leakybank/leakybank-t0320s-debug2.txt");
    const r = await run(["leaks", last, "--format", "sarif", "--config", good]);
    expectPlaced(JSON.parse(r.stdout) as Log);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ sarif: { pathMap: ["leakybank/"] } }));
    const b = await run(["leaks", last, "--format", "sarif", "--config", bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^gosleuth: .*bad\.json: `sarif\.pathMap` must be an object/);
  });
});
