// Bundles the CLI into one ESM file so `gosleuth` starts without a TypeScript loader.
import { chmodSync } from "node:fs";
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/gosleuth.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __gsCreateRequire } from 'node:module'; const require = __gsCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
chmodSync("dist/gosleuth.mjs", 0o755);
