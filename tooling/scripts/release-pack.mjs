#!/usr/bin/env node
// `pnpm --silent release:pack <dir> [--libs]`: builds the `gosleuth` npm package (the bundled CLI and the
// built viewer) and writes <dir>/gosleuth-<version>.tgz; with --libs also the library packages
// (@gosleuth/model, parser, spawn-graph, leaks, text). Prints each tarball's path on stdout, one a line;
// the build's own output goes to stderr.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const args = process.argv.slice(2);
const libs = args.includes("--libs");
const dirs = args.filter((a) => !a.startsWith("--"));
if (dirs.length !== 1 || args.some((a) => a.startsWith("--") && a !== "--libs")) {
  console.error("release:pack: usage: pnpm --silent release:pack <dir> [--libs]");
  process.exit(2);
}
const dest = resolve(process.cwd(), dirs[0]);
mkdirSync(dest, { recursive: true });

const LIBS = ["packages/model", "packages/text", "packages/parser", "packages/spawn-graph", "packages/leaks"];

// pnpm is on the PATH under `pnpm release:pack`; run directly, use the pinned one through npx.
const pinned = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).packageManager;
const hasPnpm = spawnSync("pnpm", ["--version"], { stdio: "ignore" }).status === 0;

/** Runs a step with its output on stderr; with `quiet`, its output only when it fails. */
function run(cmd, argv, cwd = root, quiet = false) {
  if (cmd === "pnpm" && !hasPnpm) [cmd, argv] = ["npx", ["--yes", pinned, ...argv]];
  const res = spawnSync(cmd, argv, { cwd, stdio: quiet ? "pipe" : ["ignore", 2, 2], encoding: "utf8" });
  if (res.status !== 0) {
    if (quiet) process.stderr.write(`${res.stdout}${res.stderr}`);
    console.error(`release:pack: ${cmd} ${argv.join(" ")} failed (exit ${res.status ?? res.signal})`);
    process.exit(2);
  }
}

run("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only", "--filter=gosleuth..."]);

for (const dir of ["apps/gosleuth", ...(libs ? LIBS : [])]) {
  const pkg = JSON.parse(readFileSync(resolve(root, dir, "package.json"), "utf8"));
  // npm's tarball name: a scope's "@" dropped and its "/" turned into "-".
  const file = resolve(dest, `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`);
  if (dir !== "apps/gosleuth") {
    // A fresh dist/: tsc does not remove what a deleted source file once emitted.
    rmSync(resolve(root, dir, "dist"), { recursive: true, force: true });
    run("pnpm", ["run", "build:lib"], resolve(root, dir), true);
  }
  run("pnpm", ["pack", "--out", file], resolve(root, dir), true);
  if (dir === "apps/gosleuth") dropDevDependencies(file);
  console.log(file);
}

/**
 * The `gosleuth` package bundles the workspace packages it is built from, which it lists as devDependencies
 * (so the build runs them first); they are private and not on npm, and a user's manifest has no use for
 * them, so the published manifest goes without them.
 */
function dropDevDependencies(tgz) {
  const tmp = mkdtempSync(join(tmpdir(), "gosleuth-pack-"));
  try {
    run("tar", ["-xzf", tgz, "-C", tmp], root, true);
    const manifest = join(tmp, "package", "package.json");
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    delete pkg.devDependencies;
    writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
    // npm's own tarball conventions: entries by name, owned by root, the fixed date npm gives every file.
    run(
      "tar",
      [
        "-czf",
        tgz,
        "--sort=name",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        "--mtime=1985-10-26T08:15:00Z",
        "-C",
        tmp,
        "package",
      ],
      root,
      true,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
