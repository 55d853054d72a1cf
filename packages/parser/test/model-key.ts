// A dump's whole model as one string, with which frames are one object: two parses give the same key
// only when every field and every frame's sharing are the same.
import type { Dump, Frame } from "@gosleuth/model";

export function modelKey(d: Dump): string {
  const ids = new Map<Frame, number>();
  const frameRef = (f: Frame): number => {
    let i = ids.get(f);
    if (i === undefined) {
      i = ids.size;
      ids.set(f, i);
    }
    return i;
  };
  const body = JSON.stringify(d, (key, value) => {
    if ((key === "frames" || key === "runtimeStack") && Array.isArray(value)) {
      return (value as Frame[]).map((f) => [frameRef(f), f]);
    }
    return value;
  });
  return body;
}
