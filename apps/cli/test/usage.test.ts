// Usage errors exit 2 with one stderr line, for every command and every option (walked from commander's tree).
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fixture } from "@gosleuth/fixtures";
import type { Command, Option } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { program } from "../src/main.ts";
import { type Run, run } from "./helpers.ts";

const DUMP = fixture("labeled/leakybank/leakybank-t0060s-debug2.txt");

// A value each option must refuse. Options with choices are given one that is not a choice; every other option
// that takes a value needs an entry here, so a new option fails this test until it says what a bad value is.
const BAD_VALUE: Record<string, string> = {
  "--timeout": "banana",
  "--max-bytes": "banana",
  "--host-header": "not a host",
  "--threads": "banana",
  "--root": "banana",
  "--depth": "-1",
  "--min-count": "abc",
  "--config": "/nonexistent/gosleuth.config.json",
  "--every": "banana",
  "--count": "abc",
  "--out": "/nonexistent-dir/dump.txt",
  "--port": "banana",
  "--host": "256.0.0.1",
  "--path-map": "no-equals-sign",
  "--module": "not a module",
  "--interval": "banana",
  "--targets": "/nonexistent/targets.json",
  "--target": "not-a-url",
  "--listen": "nohost",
  "--shard": "5/3",
  "--keep": "/dev/null/keep",
  "--keep-max": "abc",
  "--keep-for": "banana",
  "--concurrency": "abc",
  "--window": "abc",
  "--top": "abc",
  "--max-backoff": "banana",
  "--reload": "banana",
  "--match": "(",
  "--filter": "bogus:x",
  "--limit": "abc",
  "--sarif-category": "has space",
};

let server: Server;
let url = "";
beforeAll(async () => {
  const body = readFileSync(DUMP);
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(body));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/goroutine?debug=2`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

/**
 * Valid arguments for a command: the dump file, or the local server's URL where a URL is asked; the agent, which
 * takes no positional argument, gets a target and a free loopback port, so that only the bad value can fail it.
 */
function positionals(cmd: Command): string[] {
  if (cmd.name() === "agent") return ["--target", url, "--listen", "127.0.0.1:0"];
  return cmd.registeredArguments.flatMap((a) => (a.name() === "url" ? [url] : [DUMP]));
}

function valueOptions(cmd: Command): Option[] {
  return cmd.options.filter((o) => (o.required || o.optional) && o.long !== "--help");
}

function expectUsageError(r: Run, label: string): void {
  const lines = r.stderr.trimEnd().split("\n");
  expect({ label, code: r.code, lines: lines.length }).toEqual({ label, code: 2, lines: 1 });
  expect(lines[0]).toMatch(/^gosleuth: \S/);
}

const commands = program.commands.filter((c) => c.name() !== "help");

describe("usage errors exit 2 with one line on stderr", () => {
  it("the walk covers every command and every option that takes a value", () => {
    expect(commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(["summary", "parse", "tree", "leaks", "diff", "fetch", "watch", "view"]),
    );
    for (const c of commands)
      for (const o of valueOptions(c))
        expect(
          o.argChoices !== undefined || o.long! in BAD_VALUE,
          `${c.name()} ${o.long}: add a bad value to BAD_VALUE`,
        ).toBe(true);
  });

  it("bare gosleuth, an unknown command, an unknown option, missing arguments", async () => {
    expectUsageError(await run([]), "bare");
    expectUsageError(await run(["bogus"]), "unknown command");
    expectUsageError(await run(["help", "bogus"]), "help of an unknown command");
    expectUsageError(await run(["--no-color"]), "an option but no command");
    for (const c of commands) {
      expectUsageError(await run([c.name(), "--bogus", ...positionals(c)]), `${c.name()} --bogus`);
      if (c.registeredArguments.some((a) => a.required))
        expectUsageError(await run([c.name()]), `${c.name()} without arguments`);
    }
    expectUsageError(await run(["diff", DUMP]), "diff with one input");
  });

  for (const c of commands) {
    for (const o of valueOptions(c)) {
      const name = `${c.name()} ${o.long}`;
      it(`${name}: a bad value, and no value`, async () => {
        const bad = o.argChoices ? "banana" : BAD_VALUE[o.long!]!;
        expectUsageError(
          await run(
            [c.name(), ...positionals(c), o.long!, bad, ...(c.name() === "view" ? ["--no-open"] : [])],
            {
              timeoutMs: 20_000,
            },
          ),
          `${name} ${bad}`,
        );
        if (o.required)
          expectUsageError(await run([c.name(), ...positionals(c), o.long!]), `${name} (no value)`);
      });
    }
  }

  it("help and version exit 0 on stdout", async () => {
    const h = await run(["leaks", "--help"]);
    expect([h.code, h.stderr]).toEqual([0, ""]);
    expect(h.stdout).toContain("--fail-on");
    const v = await run(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("--fail-on", () => {
  it("says in one stderr line how many incidents tripped it", async () => {
    const last = fixture("labeled/leakybank/leakybank-t0320s-debug2.txt");
    const r = await run(["leaks", last, "--format", "json", "--fail-on", "high"]);
    expect(r.code).toBe(1);
    const high = JSON.parse(r.stdout).incidents.filter(
      (x: { severity: string }) => x.severity === "high",
    ).length;
    expect(high).toBeGreaterThan(0);
    expect(r.stderr).toBe(`gosleuth: ${high} incidents at or above high\n`);
    const quiet = await run([
      "leaks",
      fixture("generated/servers/caddy-2.11-t0-debug2.txt"),
      "--fail-on",
      "high",
    ]);
    expect([quiet.code, quiet.stderr]).toEqual([0, ""]);
  });
});
