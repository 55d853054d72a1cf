import { gosleuthVitest } from "@gosleuth/vitest-config";

export default gosleuthVitest();
