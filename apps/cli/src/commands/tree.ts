// `gosleuth tree`: the spawn tree, aggregated by signature or per goroutine.
import { CliError } from "../errors.ts";
import type { FetchOptions } from "../input.ts";

export async function treeCommand(
  _input: string,
  _o: Record<string, unknown>,
  _f: FetchOptions,
): Promise<void> {
  throw new CliError("tree: not available yet (@gosleuth/spawn-graph is being built)");
}
