#!/usr/bin/env node
// Runs every check the project has (typecheck, lint, unit tests, browser tests) and ends with one
// line `N passed, N failed` summed from every vitest JSON report, so a run that executed no test shows.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const skipE2e = process.argv.includes("--no-e2e");
const steps = [
  ["typecheck", ["pnpm", "exec", "turbo", "run", "typecheck", "--continue"]],
  ["lint", ["pnpm", "exec", "biome", "check", "--config-path", "tooling/biome", "."]],
  ["build", ["pnpm", "exec", "turbo", "run", "build"]],
  // Real servers some tests run against (skipped cleanly by those tests where they cannot be installed).
  [
    "caddy and prometheus",
    [
      "bash",
      "tooling/scripts/ensure-debian.sh",
      "--optional",
      "caddy=/usr/bin/caddy",
      "prometheus=/usr/bin/prometheus",
    ],
  ],
];
// Chromium before the unit tests: two of the CLI's (`view`'s page, the agent's viewer link) open it and
// skip where it is absent, which on a new machine they did while it was installed only for the browser tests.
if (!skipE2e)
  steps.push(["chromium", ["bash", "tooling/scripts/ensure-debian.sh", "chromium=/usr/bin/chromium"]]);
steps.push(["unit tests", ["pnpm", "exec", "turbo", "run", "test", "--continue", "--concurrency=1"]]);
if (!skipE2e) {
  steps.push([
    "browser tests",
    ["pnpm", "exec", "turbo", "run", "test:e2e", "--continue", "--concurrency=1"],
  ]);
}

function findReports(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === ".git") continue;
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (name === ".reports") {
      for (const f of readdirSync(p)) if (f.endsWith(".json")) out.push(join(p, f));
    } else if (dir === root || ["apps", "packages", "tooling"].includes(relative(root, dir))) {
      findReports(p, out);
    }
  }
  return out;
}

for (const r of findReports(root)) rmSync(r);

const failedSteps = [];
for (const [name, cmd] of steps) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd.join(" ")}`);
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: "inherit" });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (res.status !== 0) {
    failedSteps.push(name);
    console.log(`=== ${name}: FAILED (exit ${res.status ?? res.signal}) in ${secs}s`);
  } else {
    console.log(`=== ${name}: ok in ${secs}s`);
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
// The failing tests, printed again after the counts: CI keeps only the end of a long log.
const failures = [];
const head = (text) => text.split("\n").slice(0, 12).join("\n");
for (const file of findReports(root)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(
    `${relative(root, file)}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
  );
  if (report.numFailedTestSuites > 0 && (report.numFailedTests ?? 0) === 0) {
    // A suite that failed to load (syntax error, missing import) has no failed test: count it.
    failed += report.numFailedTestSuites;
  }
  for (const suite of report.testResults ?? []) {
    const where = relative(root, suite.name);
    const tests = suite.assertionResults ?? [];
    for (const t of tests) {
      if (t.status === "failed")
        failures.push(`FAILED ${where} > ${t.fullName}\n${head((t.failureMessages ?? []).join("\n"))}`);
    }
    if (suite.status === "failed" && tests.length === 0)
      failures.push(`FAILED ${where}: ${head(suite.message ?? "")}`);
  }
}
for (const f of failures) console.log(`\n${f.trimEnd()}`);
if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length > 0 || failed > 0 || passed === 0 ? 1 : 0);
