// Browser tests: real headless Chromium driven by playwright-core; results go to .reports/vitest-e2e.json for the check runner.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // expect.poll's default of 1 s is shorter than a search or an expansion takes on a loaded 2-core
    // machine (CI runs beside other jobs); a poll that matches ends at once, so this only waits longer.
    expect: { poll: { timeout: 15_000 } },
    fileParallelism: false,
    pool: "forks",
    reporters: ["default", ["json", { outputFile: ".reports/vitest-e2e.json" }]],
  },
});
