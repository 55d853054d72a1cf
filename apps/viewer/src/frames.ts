// How the dataset keeps a goroutine's frames small and prints a goroutine back: per goroutine only the
// frames whose arguments differ from its group's first goroutine, patched back when it is asked for.
import type { Frame, Goroutine } from "@gosleuth/model";

const SEP = "\u0001";

export function sameElisions(a: Goroutine["elided"], b: Goroutine["elided"]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i]!.index !== b[i]!.index || a[i]!.count !== b[i]!.count) return false;
  return true;
}
export const NONE: readonly never[] = Object.freeze([]);

/**
 * The frames whose arguments or offset differ from the group's first goroutine, as one flat string
 * (`index SEP args SEP offset` per differing frame), or undefined when none differ. Goroutines of one
 * group usually differ in a frame or two (a pointer argument), so this keeps a small fraction of the
 * text that the whole stack's arguments would.
 */
export function frameDiff(g: Goroutine, sample: Goroutine): string | undefined {
  const own = g.frames;
  const base = sample.frames;
  let parts: string[] | undefined;
  for (let i = 0; i < own.length; i++) {
    const f = own[i]!;
    const b = base[i];
    const offset = f.offset ?? "";
    if (b && b.args === f.args && (b.offset ?? "") === offset) continue;
    // join() returns one flat string; `+=` would build a rope that keeps every piece alive.
    (parts ??= []).push(String(i), f.args, offset);
  }
  // A stack of another length cannot be patched frame by frame: keep all of it (never seen, same signature).
  if (own.length !== base.length) return ["*", ...own.flatMap((f) => [f.args, f.offset ?? ""])].join(SEP);
  return parts?.join(SEP);
}

/** Applies `frameDiff`'s output to the group's frames. */
export function patchFrames(frames: readonly Frame[], diff: string): Frame[] {
  const parts = diff.split(SEP);
  const withOwn = (f: Frame, args: string, offset: string): Frame => {
    const { offset: _o, ...rest } = f;
    return { ...rest, args, ...(offset ? { offset } : {}) };
  };
  if (parts[0] === "*")
    return frames.map((f, i) => withOwn(f, parts[2 * i + 1] ?? "", parts[2 * i + 2] ?? ""));
  const out = frames.slice();
  for (let k = 0; k + 2 < parts.length; k += 3) {
    const i = Number(parts[k]);
    const f = out[i];
    if (f) out[i] = withOwn(f, parts[k + 1]!, parts[k + 2]!);
  }
  return out;
}

/** The goroutine as the runtime printed it (debug=2), for copying from the side panel. */
export function goroutineText(g: Goroutine): string {
  const flags: string[] = [g.state + (g.leaked ? " (leaked)" : "")];
  if (g.waitMinutes > 0) flags.push(`${g.waitMinutes} minutes`);
  if (g.lockedToThread) flags.push("locked to thread");
  let s = `goroutine ${g.idText ?? g.id} [${flags.join(", ")}]:\n`;
  let e = 0;
  for (let i = 0; i < g.frames.length; i++) {
    while (e < g.elided.length && g.elided[e]!.index === i) {
      const c = g.elided[e]!.count;
      s += c === null ? "...additional frames elided...\n" : `...${c} frames elided...\n`;
      e++;
    }
    const f = g.frames[i]!;
    s += `${f.fn.full}(${f.args})\n\t${f.file}:${f.line}${f.offset ? ` +${f.offset}` : ""}\n`;
  }
  if (g.stackUnavailable) s += "\tgoroutine running on other thread; stack unavailable\n";
  if (g.createdBy) {
    const c = g.createdBy;
    s += `created by ${c.fn.full}${c.parentId !== undefined ? ` in goroutine ${c.parentId}` : ""}\n\t${c.file}:${c.line}${c.offset ? ` +${c.offset}` : ""}\n`;
  }
  return s;
}
