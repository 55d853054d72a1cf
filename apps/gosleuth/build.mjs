// Assembles the publishable `gosleuth` package from what the workspace built: the CLI bundle, its
// parsing thread and the chunks both import (apps/cli/dist, which already holds every workspace package and library it imports,
// so the package has no runtime dependencies) and the built viewer (apps/viewer/dist), which `gosleuth
// view` serves from dist/viewer, and a few real dumps from the fixtures for the README's tour (examples/).
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const cliDist = resolve(here, "../cli/dist");
const viewerDist = resolve(here, "../viewer/dist");
const out = resolve(here, "dist");

for (const f of [
  resolve(cliDist, "gosleuth.mjs"),
  resolve(cliDist, "worker.mjs"),
  resolve(viewerDist, "index.html"),
]) {
  if (!existsSync(f)) {
    console.error(
      `gosleuth (package): ${f} is missing: build @gosleuth/cli and @gosleuth/viewer first (pnpm build)`,
    );
    process.exit(2);
  }
}
const { version } = JSON.parse(readFileSync(resolve(here, "package.json"), "utf8"));
const bundled = readFileSync(resolve(cliDist, "gosleuth.mjs"), "utf8");
if (!bundled.includes(JSON.stringify(version))) {
  console.error(
    `gosleuth (package): apps/cli/dist/gosleuth.mjs was not built for version ${version}: rebuild @gosleuth/cli`,
  );
  process.exit(2);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Every module of the CLI (the entry, the worker, the chunks each command loads when it runs, the grammar the parser
// loads when a dump needs it). Source maps stay out: they would triple the download, and Node ignores them unless asked.
for (const f of readdirSync(cliDist))
  if (f.endsWith(".mjs") || f.endsWith(".cjs")) copyFileSync(resolve(cliDist, f), resolve(out, f));
chmodSync(resolve(out, "gosleuth.mjs"), 0o755);
cpSync(viewerDist, resolve(out, "viewer"), { recursive: true });
copyFileSync(resolve(here, "../../LICENSE"), resolve(out, "LICENSE"));

// Real dumps (copied from the shared corpus into packages/fixtures), names unchanged; the big ones
// gzipped, which every command reads transparently.
const EXAMPLES = [
  "generated/go-versions/go1.23-crash-nil.txt",
  "generated/go-versions/go1.23-crash-deadlock.txt",
  "generated/servers/caddy-2.11-t0-debug2.txt",
  "labeled/leakybank/leakybank-t0060s-debug2.txt",
  "labeled/leakybank/leakybank-t0180s-debug2.txt",
  "labeled/leakybank/leakybank-t0320s-debug2.txt",
];
const examples = resolve(here, "examples");
rmSync(examples, { recursive: true, force: true });
mkdirSync(examples);
for (const rel of EXAMPLES) {
  const src = resolve(here, "../../packages/fixtures", rel);
  const text = readFileSync(src);
  if (text.length < 64 * 1024) copyFileSync(src, resolve(examples, basename(rel)));
  else writeFileSync(resolve(examples, `${basename(rel)}.gz`), gzipSync(text, { level: 9 }));
}
