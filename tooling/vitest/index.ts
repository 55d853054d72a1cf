// Shared vitest settings: every workspace writes a JSON report so .ci/run can sum passed/failed.
import { defineConfig } from "vitest/config";

export function gosleuthVitest(extra: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    test: {
      include: extra.include ?? ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: extra.testTimeout ?? 60_000,
      reporters: ["default", ["json", { outputFile: ".reports/vitest.json" }]],
      pool: "forks",
    },
  });
}
