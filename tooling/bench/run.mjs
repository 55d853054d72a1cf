#!/usr/bin/env node
// `pnpm bench`: times the built CLI on the 216k-goroutine dump, a generated 1.5 GB dump and both with
// every frame argument made unique, and prints MB/s, its ratio to a raw newline scan of the same file in
// the same run (a new Node process, like the commands; what carries from machine to machine), goroutines/s
// and peak RSS per case, with the targets, and the same ratio of CPU time (all threads; steadier on a shared
// machine). When the gostackparse peer is built (peers/gostackparse/build.sh) it is timed on the same files.
// Exits 1, loudly, when a command's goroutine count differs from the file's header lines.
// Flags: --quick (skip the 1.5 GB dumps), --only=<case,...> (--only=agent: the agent load alone;
// --only=shape: peak memory on dumps of other shapes, gen-shapes.mjs, run only when named),
// --runs=N (best time of N, highest peak RSS of N; default 1).
// The CLI parses files of 64 MB and more on several threads when the machine has three cores or more
// (--threads auto: one on two cores); the "1 thread" rows run the same command with --threads 1 and the
// "2 threads" rows with --threads 2, so both paths are timed on any machine.
import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { BENCH_DIR, CLI, DATA_DIR, LARGE_GZ, ROOT } from "./paths.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 1);

/** `gosleuth agent` under load (agent-load.mjs: loopback replay servers, bounded in time, no corpus needed). */
async function agentLoad() {
  const child = spawn(process.execPath, [join(BENCH_DIR, "agent-load.mjs")], { stdio: "inherit" });
  const [code] = await once(child, "exit");
  if (code !== 0) process.exitCode = 1;
}
if (only?.length === 1 && only[0] === "agent") {
  await agentLoad();
  process.exit();
}

if (!existsSync(CLI)) {
  console.error(`bench: ${CLI} is missing; run \`pnpm build\` first`);
  process.exit(2);
}
if (!existsSync(LARGE_GZ)) {
  console.error(`bench: ${LARGE_GZ} not found; the benchmarks need the shared corpus (set GOSLEUTH_CORPUS)`);
  process.exit(2);
}
mkdirSync(DATA_DIR, { recursive: true });
const dump216k = join(DATA_DIR, "go1.26-spawnfarm-216k.txt");
const dump15g = join(DATA_DIR, "spawnfarm-1.5GB.txt");
// The same dumps with every argument made unique (pointer arguments differ on real servers).
const dump216kU = join(DATA_DIR, "spawnfarm-216k-unique-args.txt");
const dump15gU = join(DATA_DIR, "spawnfarm-1.5GB-unique-args.txt");

if (!existsSync(dump216k)) {
  process.stderr.write("bench: decompressing the 216k dump once...\n");
  await pipeline(createReadStream(LARGE_GZ), createGunzip(), createWriteStream(dump216k));
}
// Shapes unlike the 216k dump's, for memory (gen-shapes.mjs): every stack distinct, and a long log around a dump.
const uniqfn = join(DATA_DIR, "shape-uniqfn.txt");
const logdump = join(DATA_DIR, "shape-logdump.txt");
/**
 * How each generated dump is made (once, when a chosen case needs it; kept in .data, never committed):
 * what it is, the generator and its arguments.
 */
const MAKE = {
  [dump15g]: ["the 1.5 GB dump (renumbered real blocks)", "gen-large.mjs", ["1500000000", dump15g]],
  [dump216kU]: ["the 216k dump with unique arguments", "gen-large.mjs", ["1", dump216kU, "--unique-args"]],
  [dump15gU]: [
    "the 1.5 GB dump with unique arguments",
    "gen-large.mjs",
    ["1500000000", dump15gU, "--unique-args"],
  ],
  [uniqfn]: ["100,000 goroutines each in a function of its own", "gen-shapes.mjs", ["uniqfn", uniqfn]],
  [logdump]: ["a log around a dump", "gen-shapes.mjs", ["logdump", logdump]],
};
const wanted = (name) => !only || only.some((o) => name.startsWith(o));

/** Runs a child, returns { seconds, maxRssMB, cpuSeconds (all its threads, when probed), stdout }. */
async function runChild(cmd, argv, { stdout = "pipe" } = {}) {
  const rssFile = join(DATA_DIR, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    stdio: ["ignore", stdout, "inherit"],
    env: { ...process.env, GOSLEUTH_RSS_FILE: rssFile, FORCE_COLOR: "0" },
  });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (d) => {
    if (out.length < 1e6) out += d;
  });
  const [code] = await once(child, "exit");
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`${cmd} ${argv.join(" ")} exited with ${code}`);
  const [rssKiB, cpuMicros] = existsSync(rssFile) ? readFileSync(rssFile, "utf8").split(" ") : [];
  rmSync(rssFile, { force: true });
  return { seconds, maxRssMB: Number(rssKiB) / 1024, cpuSeconds: Number(cpuMicros) / 1e6, stdout: out };
}

/**
 * The reference the parse speed is compared with: how fast a fresh Node process merely reads a file and finds
 * its newlines (newline-scan.mjs), run like the commands, Node's start-up included. Until 2026-12-01 the
 * reference was the loop below run again and again inside the bench's own warm process, which no command
 * ever is: on the 216k dump it took 0.07 s against 0.19 s for the same work in a new process.
 */
async function newlineBaseline(file) {
  const r = await runChild(node[0], [...node.slice(1), join(BENCH_DIR, "newline-scan.mjs"), file]);
  return { ...r, lines: JSON.parse(r.stdout).lines };
}

/** The earlier reference, kept as a row for comparison with the history: the scan in this warm process. */
async function warmLoopScan(file) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let lines = 0;
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 })) {
    let i = -1;
    while ((i = buf.indexOf(10, i + 1)) !== -1) lines++;
  }
  const c = process.cpuUsage(c0);
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    cpuSeconds: (c.user + c.system) / 1e6,
    lines,
  };
}

/** The `goroutine N [` header lines of a file (lines cut across reads are carried over). */
async function countHeaders(file) {
  let n = 0;
  let carry = "";
  const header = /^goroutine \d+ \[/gm;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22, encoding: "latin1" })) {
    const text = carry + chunk;
    const cut = text.lastIndexOf("\n") + 1;
    n += text.slice(0, cut).match(header)?.length ?? 0;
    carry = text.slice(cut);
  }
  return n + (carry.match(header)?.length ?? 0);
}

const node = [process.execPath, "--import", join(BENCH_DIR, "rss-probe.mjs")];
// The peer, timed beside gosleuth when built (peers/gostackparse/build.sh) or named by the variable.
const PEER = process.env.GOSLEUTH_BENCH_GOSTACKPARSE ?? join(DATA_DIR, "gostackparse-peer");
const SHORT = {
  [dump216k]: "216k",
  [dump15g]: "1.5GB",
  [dump216kU]: "216k, unique args",
  [dump15gU]: "1.5GB, unique args",
  [uniqfn]: "uniqfn",
  [logdump]: "logdump",
};
/** summary (threads auto, one and two), tree and leaks on one file. */
const perFile = (file, large, extra = {}) => {
  const n = SHORT[file];
  return [
    {
      name: `summary ${n}`,
      file,
      argv: ["summary", file, "--json"],
      target: extra.summary ?? "≥0.25× newline scan (aim 0.3×), <300 MB RSS",
      large,
      main: true,
    },
    {
      name: `summary ${n}, 1 thread`,
      file,
      argv: ["summary", file, "--json", "--threads", "1"],
      target: "reference: one parsing thread, <300 MB RSS",
      large,
    },
    {
      name: `summary ${n}, 2 threads`,
      file,
      argv: ["summary", file, "--json", "--threads", "2"],
      target: "reference: two parsing threads, <300 MB RSS",
      large,
    },
    {
      name: `tree ${n}`,
      file,
      argv: ["tree", file, "--json"],
      target: "within 15% of summary, <300 MB RSS",
      large,
    },
    {
      name: `leaks ${n}`,
      file,
      argv: ["leaks", file, "--format", "json"],
      target: "within 15% of summary, <300 MB RSS",
      large,
    },
  ];
};
const cases = [
  ...perFile(dump216k, false),
  {
    name: "stacks 216k",
    file: dump216k,
    argv: ["stacks", dump216k],
    noCount: true, // prints text, no count to check
    target: "within 25% of summary 216k, <300 MB RSS",
  },
  {
    name: "summary 216k, unique args",
    file: dump216kU,
    argv: ["summary", dump216kU, "--json"],
    target: "every argument unique: <300 MB RSS",
  },
  ...perFile(dump15g, true),
  ...perFile(dump15gU, true, { summary: "every argument unique: <300 MB RSS" }),
  // Peak memory where grouping saves nothing (a group per goroutine) and where most of the input is log
  // text kept for the lossless model: run only when named (`--only=shape`), their times are not targets.
  ...[uniqfn, logdump].flatMap((file) =>
    [["summary", "--json"], ["tree", "--json"], ["leaks", "--format", "json"], ["stacks"]].map(
      ([cmd, ...rest]) => ({
        name: `shape ${SHORT[file]} ${cmd}`,
        file,
        argv: [cmd, file, ...rest],
        // A tree of 100,000 nodes is past the megabyte of output kept; stacks prints text.
        noCount: cmd === "stacks" || (cmd === "tree" && file === uniqfn),
        shape: true,
        target:
          file === uniqfn
            ? "<300 MB RSS (100,000 goroutines, every stack distinct, 24 MB)"
            : "<300 MB RSS (1,000,000 log lines around 31 MB of a dump, 186 MB)",
      }),
    ),
  ),
  ...[dump216k, dump15g].map((file) => ({
    name: `gostackparse ${SHORT[file]}`,
    file,
    cmd: PEER,
    argv: [file],
    peer: true,
    large: file === dump15g,
  })),
].filter(
  (c) => (!quick || !c.large) && wanted(c.name) && (!c.peer || existsSync(PEER)) && (!c.shape || only),
);

for (const file of new Set(cases.map((c) => c.file))) {
  const make = MAKE[file];
  if (!make || existsSync(file)) continue;
  process.stderr.write(`bench: generating ${make[0]} once...\n`);
  await runChild(process.execPath, [join(BENCH_DIR, make[1]), ...make[2]], { stdout: "inherit" });
}

const rows = [];

/** Bundles a TypeScript bench program (it imports the workspace's sources) into .data; returns its path. */
async function bundle(name) {
  const { build } = await import("esbuild");
  const out = join(DATA_DIR, `${name}.mjs`);
  await build({
    entryPoints: [join(BENCH_DIR, `${name}.ts`)],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
    },
  });
  return out;
}

// The per-goroutine graph and the aggregated tree, timed apart from parsing (bundled from graph-bench.ts).
if (!only || only.some((o) => "graph 216k".startsWith(o))) {
  const out = await bundle("graph-bench");
  const r = await runChild(process.execPath, ["--import", join(BENCH_DIR, "rss-probe.mjs"), out, dump216k]);
  const j = JSON.parse(r.stdout);
  rows.push({
    case: "graph 216k (per-goroutine graphology)",
    MB: statSync(dump216k).size / 1e6,
    s: j.graphSeconds,
    "MB/s": Number.NaN,
    "goroutines/s": Math.round(j.goroutines / j.graphSeconds),
    "peak RSS MB": Math.round(r.maxRssMB),
    target: `<2 s (${j.graphNodes} nodes, ${j.graphEdges} edges; parse ${j.parseSeconds.toFixed(2)} s)`,
  });
  rows.push({
    case: "aggregate 216k (in memory)",
    MB: statSync(dump216k).size / 1e6,
    s: j.aggregateSeconds,
    "MB/s": Number.NaN,
    "goroutines/s": Math.round(j.goroutines / j.aggregateSeconds),
    "peak RSS MB": "",
    target: `${j.aggregateNodes} nodes (<2,000)`,
  });
}
// What summary, tree and leaks do with each goroutine, apart from parsing (consumer-bench.ts): in one warm
// process, the fastest of several rounds over the same parsed batches; far steadier than whole commands on
// a shared machine, so a change to a consumer shows here first.
if (!only || only.some((o) => "consumers 216k".startsWith(o))) {
  const out = await bundle("consumer-bench");
  const r = await runChild(process.execPath, [out, dump216k, "7"]);
  const ms = JSON.parse(r.stdout);
  for (const k of ["summary", "tree", "leaks"]) {
    rows.push({
      case: `consumer ${k} 216k (warm, in process)`,
      MB: statSync(dump216k).size / 1e6,
      s: ms[k] / 1000,
      "MB/s": Number.NaN,
      "goroutines/s": Math.round(ms.goroutines / (ms[k] / 1000)),
      "peak RSS MB": "",
      target: `${k}'s consumer alone, fastest of 7 rounds over the parsed dump`,
    });
  }
}
/** Per file: the count of `goroutine N [` header lines (what no parse may lose). */
const headers = new Map();
/**
 * Per file: every newline scan run. The reference is the fastest of all of them, taken after the cases
 * ran: a scan runs before each run of a case, so the machine's slow spells weigh on the reference as on
 * the cases (the scans all ran first before 2026-12-02, and two runs of the bench minutes apart gave
 * `summary` 0.199× and 0.255× from scans of 0.23 and 0.28 s).
 */
const scansOf = new Map();
const fastest = (xs) => xs.reduce((x, y) => (y.seconds < x.seconds ? y : x));
const fastestCpu = (xs) => Math.min(...xs.map((x) => x.cpuSeconds));
for (const file of new Set(cases.map((c) => c.file))) {
  // Several scans first: the first may read a cold page cache, and a scan of the 216k dump lasts a fifth
  // of a second, so one busy moment on a shared machine moved the best of two by half.
  const mb = statSync(file).size / 1e6;
  const tries = mb < 512 ? 5 : 3;
  const scans = [];
  for (let i = 0; i < tries; i++) scans.push(await newlineBaseline(file));
  scansOf.set(file, scans);
  headers.set(file, await countHeaders(file));
  // Its time, speed and ratios are filled in once every scan has run (below the cases).
  rows.push({ reference: file, case: `newline scan ${SHORT[file]}`, MB: mb });
  const warm = [];
  for (let i = 0; i < tries; i++) warm.push(await warmLoopScan(file));
  const w = fastest(warm);
  rows.push({
    file,
    case: `newline scan ${SHORT[file]}, warm loop`,
    MB: mb,
    s: w.seconds,
    "MB/s": mb / w.seconds,
    "CPU s": fastestCpu(warm),
    "goroutines/s": "",
    "peak RSS MB": "",
    target: "the reference until 2026-12-01: the same scan repeated in the bench's process",
  });
}
const mismatches = [];
// Runs go round the cases (round 1 of every case, then round 2, ...), each after a scan: a slow spell of
// the machine then weighs on every case and on the reference alike, where runs of one case after another
// let a spell fall on one case (two runs of `--quick --runs=5` minutes apart gave `tree` 135% and 64% of
// `summary`, with `summary` and `summary --threads 1`, the same command on two cores, 1.03 s and 1.19 s).
// Time: the fastest run; memory: the highest peak of all runs (a limit must hold in every run).
const results = cases.map(() => ({ best: undefined, maxRss: 0, cpu: Number.POSITIVE_INFINITY }));
for (let i = 0; i < runs; i++) {
  for (const [k, c] of cases.entries()) {
    scansOf.get(c.file).push(await newlineBaseline(c.file));
    const r = c.cmd
      ? await runChild(c.cmd, c.argv)
      : await runChild(node[0], [...node.slice(1), CLI, ...c.argv]);
    const t = results[k];
    if (!t.best || r.seconds < t.best.seconds) t.best = r;
    t.maxRss = Math.max(t.maxRss, r.maxRssMB);
    t.cpu = Math.min(t.cpu, r.cpuSeconds);
  }
}
for (const [k, c] of cases.entries()) {
  const { best, maxRss, cpu } = results[k];
  const mb = statSync(c.file).size / 1e6;
  let goroutines = Number.NaN;
  try {
    const j = JSON.parse(best.stdout);
    // summary --json has `goroutines`, leaks --format json `input.goroutines`; a tree's real nodes' counts add up to the total.
    goroutines =
      j.goroutines ??
      j.input?.goroutines ??
      j.nodes?.reduce((a, n) => a + (n.ghost ? 0 : n.count), 0) ??
      Number.NaN;
  } catch {
    // Output past the first megabyte is not kept (runChild): a leaks report's count is near its start.
    const m = /^\{\s*"version": \d+,\s*"input": \{[^}]*?"goroutines": (\d+)/.exec(best.stdout);
    if (m) goroutines = Number(m[1]);
  }
  const expected = headers.get(c.file);
  // The peer's losses are its own and shown in its row; only gosleuth's commands must count every goroutine.
  if (!c.noCount && !c.peer && goroutines !== expected)
    mismatches.push(`${c.name}: ${goroutines} goroutines, the file has ${expected}`);
  if (c.peer)
    c.target = `peer, one thread: ${(expected - goroutines).toLocaleString("en-US")} goroutines lost`;
  rows.push({
    file: c.file,
    case: c.name,
    MB: mb,
    s: best.seconds,
    "MB/s": mb / best.seconds,
    // CPU time of all the command's threads (its ratio to the scan's: steadier than wall time on a shared
    // machine, and it counts what extra threads cost).
    "CPU s": cpu,
    "goroutines/s": Number.isFinite(goroutines) ? Math.round(goroutines / best.seconds) : "",
    "peak RSS MB": Math.round(maxRss),
    target: c.target,
  });
}

// The reference rows, now that every scan has run, and every row's ratios to its file's reference.
for (const [file, scans] of scansOf) {
  const row = rows.find((r) => r.reference === file);
  const b = fastest(scans);
  Object.assign(row, {
    s: b.seconds,
    "MB/s": row.MB / b.seconds,
    "CPU s": fastestCpu(scans),
    "goroutines/s": "",
    "peak RSS MB": Math.round(Math.max(...scans.map((x) => x.maxRssMB))),
    target: `reference: a new process (${headers.get(file)} goroutine headers; fastest of ${scans.length} scans, one before each run below)`,
  });
  for (const r of rows.filter((r) => r.file === file || r.reference === file)) {
    r["× scan"] = r["MB/s"] / row["MB/s"];
    r["× scan CPU"] = row["CPU s"] / r["CPU s"];
  }
}

console.log(`\ngosleuth bench · node ${process.version} · ${new Date().toISOString()}`);
// Columns in one order for every row (console.table takes them from the first row, and the graph rows,
// which come first in a full run, have no ratios: their columns had landed at the end).
console.table(
  rows.map((r) => ({
    case: r.case,
    MB: r.MB.toFixed(0),
    s: r.s.toFixed(2),
    "MB/s": r["MB/s"].toFixed(1),
    "× scan": r["× scan"] === undefined ? "" : r["× scan"].toFixed(3),
    "CPU s": r["CPU s"] === undefined ? "" : r["CPU s"].toFixed(2),
    "× scan CPU": r["× scan CPU"] === undefined ? "" : r["× scan CPU"].toFixed(3),
    "goroutines/s": r["goroutines/s"],
    "peak RSS MB": r["peak RSS MB"],
    target: r.target,
  })),
);
for (const c of cases.filter((c) => c.main)) {
  // tree and leaks (targets: within 15%) and stacks (within 25%) against summary with the default
  // threads, on the same file.
  const s = rows.find((r) => r.case === c.name);
  for (const [other, within] of [
    ["tree", 15],
    ["leaks", 15],
    ["stacks", 25],
  ]) {
    const o = rows.find((r) => r.case === c.name.replace(/^summary/, other));
    if (!s || !o) continue;
    const pct = (o["MB/s"] / s["MB/s"]) * 100;
    const verdict = pct >= 100 - within ? `within ${within}%` : `OVER the ${within}% line`;
    console.log(`${o.case}: ${pct.toFixed(0)}% of ${s.case}'s MB/s (${verdict})`);
  }
  const peer = rows.find((r) => r.case === c.name.replace(/^summary/, "gostackparse"));
  if (s && peer) console.log(`${s.case}: ${(s["MB/s"] / peer["MB/s"]).toFixed(2)}× ${peer.case}'s MB/s`);
}
if (mismatches.length > 0) {
  console.error(`\nbench: GOROUTINE COUNTS DIFFER:\n  ${mismatches.join("\n  ")}`);
  process.exitCode = 1;
}
if (wanted("agent")) await agentLoad();
