// What each run of the bundle compiles: the entry (every command's options and help) must not import the
// parser, the graph, the leak analysis or the agent's metrics, and each command only what it uses. Read from
// the built dist/ (test/global-setup.ts builds it): the modules a file imports statically are what Node
// loads, compiles and evaluates before a line of it runs.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const source = (f: string) => readFileSync(join(DIST, f), "utf8");

/** The file and every module it imports statically, transitively. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of source(file).matchAll(/(?:\bfrom\s*|^import\s*)"\.\/([^"]+)"/gm)) closure(m[1]!, seen);
  return seen;
}

/** The modules a file loads with import() when it gets there (a command's code, a consumer). */
function dynamicImports(file: string): string[] {
  return [...source(file).matchAll(/\bimport\(\s*"\.\/([^"]+)"\s*\)/g)].map((m) => m[1]!);
}

/** The source files esbuild bundled into these modules (it names each above its code). */
function sources(files: Iterable<string>): string {
  return [...files].map((f) => (source(f).match(/^\/\/ \S+$/gm) ?? []).join("\n")).join("\n");
}

/** The chunk that the entry imports when `command` runs. */
function commandChunk(command: string): string {
  const chunk = dynamicImports("gosleuth.mjs").find((f) =>
    new RegExp(`^${command}-[A-Z0-9]+\\.mjs$`).test(f),
  );
  if (!chunk) throw new Error(`no chunk for ${command} among ${dynamicImports("gosleuth.mjs").join(", ")}`);
  return chunk;
}

describe("the split bundle", () => {
  it("starts with the command tree alone", () => {
    const entry = closure("gosleuth.mjs");
    const bundled = sources(entry);
    expect(bundled).toContain("commander");
    expect(bundled).toContain("src/commands/summary.register.ts");
    for (const heavy of [
      "chevrotain",
      "packages/parser/",
      "graphology",
      "packages/leaks/",
      "prom-client",
      "cli-progress",
      "src/http-client.ts",
    ]) {
      expect(bundled, heavy).not.toContain(heavy);
    }
    // Each command's code is loaded when it runs, from a chunk that exists.
    const files = new Set(readdirSync(DIST));
    for (const c of [
      "summary",
      "parse",
      "tree",
      "stacks",
      "leaks",
      "diff",
      "fetch",
      "watch",
      "view",
      "agent",
    ]) {
      expect(files.has(commandChunk(c)), c).toBe(true);
    }
  });

  it("summary, stacks and fetch load neither the per-goroutine graph nor the leak analysis; tree leaves the leaks out", () => {
    for (const c of ["summary", "stacks", "fetch"]) {
      const bundled = sources(closure(commandChunk(c)));
      expect(bundled, c).toContain("packages/parser/");
      for (const heavy of ["graphology", "packages/leaks/src/incident.ts", "prom-client"]) {
        expect(bundled, `${c}: ${heavy}`).not.toContain(heavy);
      }
    }
    const tree = sources(closure(commandChunk("tree")));
    expect(tree).toContain("graphology");
    expect(tree).not.toContain("packages/leaks/");
    expect(sources(closure(commandChunk("agent")))).toContain("prom-client");
  });

  it("the parsing thread loads the parser, and a kind's consumer only when given a range of that kind", () => {
    const worker = sources(closure("worker.mjs"));
    expect(worker).toContain("packages/parser/");
    for (const heavy of ["graphology", "packages/leaks/", "packages/stacks/", "commander", "cli-progress"]) {
      expect(worker, heavy).not.toContain(heavy);
    }
    // Each kind's consumer is among what the worker's modules load with import().
    const loaded = sources(
      [...closure("worker.mjs")].flatMap(dynamicImports).flatMap((f) => [...closure(f)]),
    );
    for (const kind of ["summary", "stacks", "tree", "leaks"])
      expect(loaded, kind).toContain(`src/kinds/${kind}.ts`);
  });

  it("the dump grammar (Chevrotain) is its own file, loaded only when a dump needs it", async () => {
    // Nothing a command or the parsing thread loads at start-up holds it; dist/grammar.cjs does.
    for (const file of [commandChunk("summary"), commandChunk("leaks"), "worker.mjs"]) {
      const bundled = sources(closure(file));
      expect(bundled, file).toContain("packages/parser/src/parser.ts");
      expect(bundled, file).not.toContain("chevrotain");
      expect(bundled, file).not.toContain("packages/parser/src/grammar.ts");
    }
    const grammar = source("grammar.cjs");
    expect(grammar).toContain("packages/parser/src/grammar.ts");
    expect(grammar).toContain("chevrotain");
    // Node's module log names every CommonJS file it loads: a pprof dump is read without the grammar, a
    // crash (its `panic:` lines) with it.
    const loads = async (file: string) => {
      const r = await run(["summary", "--json", file], { env: { NODE_DEBUG: "module" } });
      expect(r.code, r.stderr).toBe(0);
      return /load "[^"]*grammar\.cjs"/.test(r.stderr);
    };
    expect(await loads(fixture("generated/servers/caddy-2.11-t0-debug2.txt"))).toBe(false);
    expect(await loads(fixture("generated/go-versions/go1.23-crash-nil.txt"))).toBe(true);
  });
});
