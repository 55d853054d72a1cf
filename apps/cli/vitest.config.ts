import { gosleuthVitest } from "@gosleuth/vitest-config";
import { defineConfig, mergeConfig } from "vitest/config";

export default mergeConfig(
  gosleuthVitest({ testTimeout: 120_000 }),
  defineConfig({ test: { globalSetup: ["test/global-setup.ts"] } }),
);
