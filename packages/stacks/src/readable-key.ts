// A group's key as text, for tests and tools that compare groups across runs or levels (reports do not
// need it, and it is long text per group).
import { argsKey, type Similarity } from "./args.ts";
import type { GroupData } from "./group.ts";

/**
 * `goroutineSignature`'s text (state class, then `function file:line` per frame, `...` for elisions), the
 * creator site and the argument keys: the text leaks' group keys are made of, plus the arguments.
 */
export function readableKey(a: GroupData, similarity: Similarity): string {
  let s = a.profile ? "profile" : a.stateClass;
  let e = 0;
  const el = a.elided;
  a.frames.forEach((f, i) => {
    while (e < el.length && el[e]!.index === i) {
      s += "\n...";
      e++;
    }
    s += `\n${f.function} ${f.file}:${f.line}`;
  });
  if (e < el.length) s += "\n...";
  const c = a.createdBy;
  let ak = "";
  if (similarity !== "any") for (const f of a.frames) ak += `${argsKey(f.args.text, similarity)}\n`;
  return `${s}\n@${c ? `${c.function} ${c.file}:${c.line}` : "root"}\n#${ak}`;
}
