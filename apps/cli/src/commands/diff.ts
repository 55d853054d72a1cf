// `gosleuth diff`: groups new, gone, grown and shrunk between two snapshots.
import { CliError } from "../errors.ts";
import type { FetchOptions } from "../input.ts";

export async function diffCommand(
  _a: string,
  _b: string,
  _o: Record<string, unknown>,
  _f: FetchOptions,
): Promise<void> {
  throw new CliError("diff: not available yet (@gosleuth/leaks is being built)");
}
