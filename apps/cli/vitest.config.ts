import { gosleuthVitest } from "@gosleuth/vitest-config";

export default gosleuthVitest({ testTimeout: 120_000 });
