// Stack signatures: the identity used to group goroutines (functions + files + lines + state class).
import { type CreatedBy, type Goroutine, startFunctionName } from "@gosleuth/model";

/**
 * A goroutine's signature: its frames as `function file:line` (no args, offsets or
 * addresses), elision markers, and its state class. Stable across runs and processes of
 * the same binary, so it can be exported and compared between snapshots.
 */
export function goroutineSignature(g: Goroutine): string {
  let s = g.stateClass;
  let e = 0;
  const el = g.elided;
  for (let i = 0; i < g.frames.length; i++) {
    while (e < el.length && el[e]!.index === i) {
      s += "\n...";
      e++;
    }
    const f = g.frames[i]!;
    s += `\n${f.fn.full} ${f.file}:${f.line}`;
  }
  if (e < el.length) s += "\n...";
  return s;
}

/** The creator site `function file:line`, or "" for roots (main, runtime roots). */
export function creatorSite(c: CreatedBy | undefined): string {
  return c ? `${c.fn.full} ${c.file}:${c.line}` : "";
}

/**
 * The function a goroutine was started with: the model's startFrame rule (the outermost frame that
 * is not runtime scaffolding). For elided stacks the bottom frames are still printed (Go 1.21+
 * prints the last 50 frames), so this holds for them too.
 */
export function startFunction(g: Goroutine): string {
  return startFunctionName(g.frames);
}

/**
 * The key of a group of goroutines: signature and creator site. @gosleuth/leaks keys its findings
 * with it and every aggregated tree node has one (`nodeGroupKey`), so a finding's nodes are the
 * nodes with its key: one group spans several nodes when its goroutines have different parents.
 */
export function groupKey(
  signature: string,
  site: { readonly function: string; readonly file: string; readonly line: number } | null,
): string {
  return `${signature}\n@${site ? `${site.function} ${site.file}:${site.line}` : "root"}`;
}
