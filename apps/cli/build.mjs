// Bundles the CLI into one ESM file so `gosleuth` starts without a TypeScript loader.
import { chmodSync, readFileSync } from "node:fs";
import { build } from "esbuild";

// `gosleuth --version` is the version of the published package (apps/gosleuth), its one source.
const { version } = JSON.parse(readFileSync(new URL("../gosleuth/package.json", import.meta.url), "utf8"));

await build({
  // The main program, and the parsing thread of the parallel summary (loaded as dist/worker.mjs).
  entryPoints: { gosleuth: "src/main.ts", worker: "src/worker.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  define: { __GOSLEUTH_VERSION__: JSON.stringify(version) },
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __gsCreateRequire } from 'node:module'; const require = __gsCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
chmodSync("dist/gosleuth.mjs", 0o755);
