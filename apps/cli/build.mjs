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

/**
 * The dump grammar (packages/parser/src/grammar.ts: Chevrotain, its lexer and parser) is loaded the first
 * time the parser's fast path hands it text, not at start-up: most big dumps never need it (pprof dumps
 * with no preamble), and `summary` of a one-goroutine dump took 0.18 s with it, 0.16 s without (fastest of
 * 20: tooling/bench/README.md). The parser imports it statically (the viewer and the tests load it so); in the
 * CLI that import becomes a stand-in that requires dist/grammar.cjs, built below as its own bundle.
 */
const lazyGrammar = {
  name: "lazy-grammar",
  setup(b) {
    b.onResolve({ filter: /^\.\/grammar\.ts$/ }, (args) =>
      /[\\/]packages[\\/]parser[\\/]src[\\/]parser\.ts$/.test(args.importer)
        ? { path: "grammar", namespace: "lazy-grammar" }
        : undefined,
    );
    // Left to Node: the stand-in's require, relative to the chunk it lands in (dist/).
    b.onResolve({ filter: /^\.\/grammar\.cjs$/ }, () => ({ path: "./grammar.cjs", external: true }));
    b.onLoad({ filter: /.*/, namespace: "lazy-grammar" }, () => ({
      contents:
        'let grammar; export function parseWithGrammar(text, b) { grammar ??= require("./grammar.cjs"); return grammar.parseWithGrammar(text, b); }',
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
  plugins: [lazyChildProcess, lazyGrammar],
  logLevel: "warning",
});
chmodSync("dist/gosleuth.mjs", 0o755);
// The grammar the stand-in requires: CommonJS, so that it loads synchronously from inside a parse.
await build({
  entryPoints: { grammar: "../../packages/parser/src/grammar.ts" },
  outdir: "dist",
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});
