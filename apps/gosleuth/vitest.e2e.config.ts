// Browser tests: Debian's Chromium driven by playwright-core; results go to .reports/vitest-e2e.json for the check runner.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    reporters: ["default", ["json", { outputFile: ".reports/vitest-e2e.json" }]],
  },
});
