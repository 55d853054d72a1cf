import type { UserConfig } from "vitest/config";
export declare function gosleuthVitest(extra?: {
  testTimeout?: number;
  include?: string[];
  reportFile?: string;
}): UserConfig;
