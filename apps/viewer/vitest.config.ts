// Unit tests (filter language, view state, reducers, layout); browser tests live in vitest.e2e.config.ts.
import { gosleuthVitest } from "@gosleuth/vitest-config";

export default gosleuthVitest({ include: ["src/**/*.test.ts"] });
