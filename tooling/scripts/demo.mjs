#!/usr/bin/env node
// The README's main job: build, summarise a bundled real dump, print its leak report, and serve the viewer on it.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const cli = resolve(root, "apps/cli/dist/gosleuth.mjs");
const dump = "packages/fixtures/labeled/leakybank/leakybank-t0320s-debug2.txt";
const serverDump = "packages/fixtures/generated/servers/caddy-2.11-t0-debug2.txt";

// Bold titles only on a terminal, by the CLI's rules (apps/cli/src/format.ts `useColor`), so a log file
// of the demo holds plain text.
const env = process.env;
const bold =
  !process.argv.includes("--no-color") &&
  !env.NO_COLOR &&
  (env.FORCE_COLOR
    ? !/^(0|false)$/i.test(env.FORCE_COLOR)
    : Boolean(process.stdout.isTTY) && env.TERM !== "dumb");

function run(title, cmd, args, { allowFail = false } = {}) {
  console.log(bold ? `\n\x1b[1m$ ${title}\x1b[0m` : `\n$ ${title}`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (res.status !== 0 && !allowFail) {
    console.error(`demo: "${title}" failed (exit ${res.status})`);
    process.exit(res.status ?? 1);
  }
}

run("pnpm build", "pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"]);
run(`gosleuth summary ${serverDump}`, "node", [cli, "summary", serverDump]);
// --fail-on is not set: the demo shows the report; the dump does leak, that is the point.
run(`gosleuth leaks ${dump}`, "node", [cli, "leaks", dump]);
const open = process.env.DISPLAY || process.platform === "darwin" ? [] : ["--no-open"];
run(`gosleuth view ${dump} ${open.join(" ")}`.trim(), "node", [cli, "view", dump, ...open]);
