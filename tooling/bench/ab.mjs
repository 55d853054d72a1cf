#!/usr/bin/env node
// `node tooling/bench/ab.mjs`: two builds of the CLI (or one build with two environments) on one command,
// run in turns (A B A B ...) so that the machine's slow spells fall on both alike, and compared run by run.
// On a shared machine the fastest of a few runs of each moves by a tenth between spells; the ratio of
// each round's pair, over many rounds, shows a change of a few percent.
//
//   node tooling/bench/ab.mjs --a=/tmp/dist-old --b=apps/cli/dist --runs=30 -- summary --json FILE
//   node tooling/bench/ab.mjs --b-env=GOSLEUTH_WARM_UP=0 --runs=30 -- tree --json FILE
//
// --a / --b: the CLI's dist directories (default: apps/cli/dist for both); --a-env / --b-env: KEY=VALUE
// added to that side's environment (repeatable). Prints, per side, the fastest, first quartile and median
// wall time, the median CPU time (all threads) and the highest peak RSS, then B's ratio to A per round
// (quartiles) and how many rounds B was faster.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { BENCH_DIR, DATA_DIR, ROOT } from "./paths.mjs";

const args = process.argv.slice(2);
const dash = args.indexOf("--");
if (dash === -1 || dash === args.length - 1) {
  console.error(
    "usage: node tooling/bench/ab.mjs [--a=DIST] [--b=DIST] [--a-env=K=V] [--b-env=K=V] [--runs=N] -- COMMAND ARGS...",
  );
  process.exit(2);
}
const opts = args.slice(0, dash);
const command = args.slice(dash + 1);
const opt = (name) => opts.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const runs = Number(opt("runs")[0] ?? 20);
const side = (name) => {
  const dist = resolve(opt(name)[0] ?? join(ROOT, "apps/cli/dist"));
  const cli = join(dist, "gosleuth.mjs");
  if (!existsSync(cli)) {
    console.error(`ab: ${cli} is missing`);
    process.exit(2);
  }
  const env = Object.fromEntries(
    opt(`${name}-env`).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  return { name: name.toUpperCase(), cli, env, wall: [], cpu: [], rss: [] };
};
const sides = [side("a"), side("b")];
mkdirSync(DATA_DIR, { recursive: true });

async function once1(s) {
  const rssFile = join(DATA_DIR, `ab-rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--import", join(BENCH_DIR, "rss-probe.mjs"), s.cli, ...command], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, ...s.env, GOSLEUTH_RSS_FILE: rssFile, FORCE_COLOR: "0" },
  });
  const [code] = await once(child, "exit");
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`${s.name}: exit code ${code}`);
  const [rssKiB, cpuMicros] = readFileSync(rssFile, "utf8").split(" ");
  rmSync(rssFile, { force: true });
  s.wall.push(seconds);
  s.cpu.push(Number(cpuMicros) / 1e6);
  s.rss.push(Number(rssKiB) / 1024);
}

for (let i = 0; i < runs; i++) for (const s of sides) await once1(s);

const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) * p)];
for (const s of sides) {
  const env = Object.entries(s.env)
    .map(([k, v]) => ` ${k}=${v}`)
    .join("");
  console.log(
    `${s.name} ${s.cli}${env}: wall fastest ${q(s.wall, 0).toFixed(3)} s, q1 ${q(s.wall, 0.25).toFixed(3)}, median ${q(s.wall, 0.5).toFixed(3)}; CPU median ${q(s.cpu, 0.5).toFixed(3)} s; peak RSS ${Math.max(...s.rss).toFixed(0)} MB`,
  );
}
const [a, b] = sides;
const wall = a.wall.map((x, i) => b.wall[i] / x);
const cpu = a.cpu.map((x, i) => b.cpu[i] / x);
console.log(
  `B/A per round (${runs} rounds): wall q1 ${q(wall, 0.25).toFixed(3)}, median ${q(wall, 0.5).toFixed(3)}, q3 ${q(wall, 0.75).toFixed(3)}; CPU median ${q(cpu, 0.5).toFixed(3)}; B faster in ${wall.filter((r) => r < 1).length} of ${runs}`,
);
