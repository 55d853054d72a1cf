// Packs the `gosleuth` tarball and the library packages with the root's `release:pack --libs`, and
// installs `gosleuth` with plain npm into an empty temporary folder outside the workspace, once for
// every test of this package.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The environment of a user's shell in a pipe: nothing of pnpm's or the workspace's (npm_*, NODE_PATH), no colour switch. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NODE_PATH$|NODE_OPTIONS$|VITEST|TURBO_|NO_COLOR$|FORCE_COLOR$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

declare module "vitest" {
  export interface ProvidedContext {
    tarball: string;
    libTarballs: string[];
    tmp: string;
    app: string;
    packSeconds: number;
    installSeconds: number;
  }
}

export default function setup(project: TestProject): () => void {
  const tmp = mkdtempSync(join(tmpdir(), "gosleuth-pack-"));
  let t = Date.now();
  const out = execFileSync(
    process.execPath,
    ["tooling/scripts/release-pack.mjs", join(tmp, "pack"), "--libs"],
    {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const packSeconds = (Date.now() - t) / 1000;
  const tarballs = out.trim().split("\n");
  const tarball = tarballs.find((t) => /[/\\]gosleuth-[^/\\]+\.tgz$/.test(t))!;
  const app = join(tmp, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), '{ "name": "gosleuth-user", "private": true }\n');
  t = Date.now();
  // --offline: the package has no dependencies, so installing it must not need the registry.
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], {
    cwd: app,
    env: cleanEnv(),
    stdio: ["ignore", "inherit", "inherit"],
  });
  const installSeconds = (Date.now() - t) / 1000;
  project.provide("tarball", tarball);
  project.provide(
    "libTarballs",
    tarballs.filter((t) => t !== tarball),
  );
  project.provide("tmp", tmp);
  project.provide("app", app);
  project.provide("packSeconds", packSeconds);
  project.provide("installSeconds", installSeconds);
  return () => rmSync(tmp, { recursive: true, force: true });
}
