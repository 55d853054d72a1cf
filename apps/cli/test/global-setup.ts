// Builds the CLI bundle once before the end-to-end tests spawn it.
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  execFileSync(process.execPath, ["build.mjs"], { cwd: root, stdio: "inherit" });
}
