// `gosleuth leaks`: leak suspects with reasons, from one dump or several snapshots.
import { CliError } from "../errors.ts";
import type { FetchOptions } from "../input.ts";

export async function leaksCommand(
  _inputs: string[],
  _o: Record<string, unknown>,
  _f: FetchOptions,
): Promise<number> {
  throw new CliError("leaks: not available yet (@gosleuth/leaks is being built)");
}
