// Shared vitest settings: every workspace writes a JSON report so .ci/run can sum passed/failed.
// Plain JavaScript: vitest loads workspace packages from node_modules without transpiling them.
import { defineConfig } from "vitest/config";

/** @param {{ testTimeout?: number; include?: string[]; reportFile?: string }} [extra] */
export function gosleuthVitest(extra = {}) {
  return defineConfig({
    test: {
      include: extra.include ?? ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: extra.testTimeout ?? 60_000,
      reporters: ["default", ["json", { outputFile: extra.reportFile ?? ".reports/vitest.json" }]],
      pool: "forks",
    },
  });
}
