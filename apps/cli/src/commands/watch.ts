// `gosleuth watch`: a live view of the top groups and their growth.
import { CliError } from "../errors.ts";
import type { FetchOptions } from "../input.ts";

export async function watchCommand(_u: string, _o: Record<string, unknown>, _f: FetchOptions): Promise<void> {
  throw new CliError("watch: not available yet (@gosleuth/leaks is being built)");
}
