import { gosleuthVitest } from "@gosleuth/vitest-config";
import { defineConfig, mergeConfig } from "vitest/config";

// Packing, installing with npm and running the installed CLI takes a while on a shared machine.
export default mergeConfig(
  gosleuthVitest({ testTimeout: 120_000 }),
  defineConfig({ test: { globalSetup: ["test/global-setup.ts"], hookTimeout: 300_000 } }),
);
