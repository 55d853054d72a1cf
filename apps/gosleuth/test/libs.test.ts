// The library packages as another TypeScript program gets them: the tarballs `release:pack --libs`
// writes, installed with npm (their third-party dependencies come from the registry) into a folder
// outside the workspace; the example in each library's README type-checks under Node's module rules
// and runs on a real dump.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture } from "@gosleuth/fixtures";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { cleanEnv, ROOT } from "./global-setup.ts";

const LIBS = ["model", "parser", "spawn-graph", "leaks"];
const dir = join(inject("tmp"), "lib-user");

/** The block after `<!-- readme-test: library example -->` in a README. */
function example(readme: string): string {
  const m = /<!-- readme-test: library example -->\s*```ts\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error("no library example");
  return m[1]!;
}

// Installing the third-party dependencies needs the npm registry; without it the test says so and skips.
const registry =
  spawnSync("npm", ["ping", "--loglevel=error"], { env: cleanEnv(), timeout: 20_000, stdio: "ignore" })
    .status === 0;

describe.skipIf(!registry)("the library packages from their tarballs", () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), '{ "name": "lib-user", "private": true, "type": "module" }\n');
    execFileSync(
      "npm",
      ["install", "--no-audit", "--no-fund", "--loglevel=error", ...inject("libTarballs")],
      {
        cwd: dir,
        env: cleanEnv(),
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
  });

  it("each has built ESM, declarations, an exports map and caret ranges on the others", () => {
    for (const lib of LIBS) {
      const m = JSON.parse(readFileSync(join(dir, "node_modules", "@gosleuth", lib, "package.json"), "utf8"));
      // spawn-graph also exports the column-store parts leaks and stacks build on.
      const subpaths =
        lib === "spawn-graph"
          ? { "./internal": { types: "./dist/internal.d.ts", default: "./dist/internal.js" } }
          : {};
      expect(m.exports, lib).toEqual({
        ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
        ...subpaths,
      });
      for (const entry of Object.values(m.exports as Record<string, { types: string }>))
        readFileSync(join(dir, "node_modules", "@gosleuth", lib, entry.types));
      expect(m.private, lib).toBeUndefined();
      for (const [dep, range] of Object.entries({ ...m.dependencies } as Record<string, string>)) {
        if (dep.startsWith("@gosleuth/")) expect(range, `${lib} → ${dep}`).toMatch(/^\^\d+\.\d+\.\d+$/);
        expect(range, `${lib} → ${dep}`).not.toMatch(/^(workspace|catalog):/);
      }
      readFileSync(join(dir, "node_modules", "@gosleuth", lib, "dist", "index.d.ts"));
    }
  });

  it("the README example type-checks (strict, nodenext) and runs on a real dump", () => {
    const readmes = [...LIBS.map((l) => join(ROOT, "packages", l, "README.md")), join(ROOT, "README.md")];
    const examples = new Set(readmes.map((r) => example(readFileSync(r, "utf8"))));
    expect(examples.size).toBe(1); // one example, the same in every library's README and the root's
    writeFileSync(join(dir, "example.ts"), [...examples][0]!);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          outDir: "out",
          types: ["node"],
          // Node's own types only; every @gosleuth package resolves from this folder's node_modules.
          typeRoots: [join(ROOT, "apps", "gosleuth", "node_modules", "@types")],
        },
        files: ["example.ts"],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    const run = spawnSync(
      process.execPath,
      ["out/example.js", fixture("labeled/leakybank/leakybank-t0320s-debug2.txt")],
      { cwd: dir, env: cleanEnv(), encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("debug2: 9217 goroutines, 0 diagnostics");
    expect(run.stdout).toContain("main.(*Exporter).enqueue");
    expect(run.stdout).toMatch(/HIGH/);
    expect(run.status).toBe(1); // the example's exit code: a high finding
  });
});
