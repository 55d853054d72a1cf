// Bundles the CLI so `gosleuth` starts without a TypeScript loader. The bundle is split: dist/gosleuth.mjs
// holds the command tree (commander, every command's options and help), and each command's code is in
// chunks beside it that the command imports when it runs, so a run compiles and evaluates only what its
// command uses. dist/worker.mjs, the parsing thread, loads the chunks of the parser and its consumers.
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

// `gosleuth --version` is the version of the published package (apps/gosleuth), its one source.
const { version } = JSON.parse(readFileSync(new URL("../gosleuth/package.json", import.meta.url), "utf8"));

/**
 * Commander loads node:child_process at start-up only to run executable subcommands, which gosleuth has
 * none of: it gets a stand-in that loads the module on first use.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: "child_process", namespace: "lazy" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'module.exports = { spawn: (...a) => require("node:child_process").spawn(...a) };',
      loader: "js",
    }));
  },
};

// Chunk names carry a hash: stale ones from an earlier build must not ship.
rmSync("dist", { recursive: true, force: true });

await build({
  entryPoints: { gosleuth: "src/main.ts", worker: "src/worker.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  // In dist/ itself, beside the entry: code in a chunk finds worker.mjs and the viewer from its import.meta.url.
  chunkNames: "[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  define: { __GOSLEUTH_VERSION__: JSON.stringify(version), __GOSLEUTH_BUNDLED__: "true" },
  // Bundled CommonJS packages (commander, cli-progress, prom-client) call require() for Node's modules.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __gsCreateRequire } from 'node:module'; const require = __gsCreateRequire(import.meta.url);",
  },
  plugins: [lazyChildProcess],
  logLevel: "warning",
});
chmodSync("dist/gosleuth.mjs", 0o755);
