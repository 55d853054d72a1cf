// pprof labels as the runtime prints them in goroutine headers and debug=1 profiles.

/** Parses `{"k": "v", "k2": "v2"}` (1.26), `{k: v, id: "a b"}` (1.27) or `{"k":"v", ...}` (debug=1). */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = text.startsWith("{") ? 1 : 0;
  const end = text.endsWith("}") ? text.length - 1 : text.length;
  const readItem = (stop: string): string => {
    while (i < end && text[i] === " ") i++;
    if (text[i] === '"') {
      let j = i + 1;
      let s = "";
      while (j < end && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < end) {
          const n = text[j + 1]!;
          s += n === "n" ? "\n" : n === "t" ? "\t" : n;
          j += 2;
        } else s += text[j++];
      }
      i = j + 1;
      return s;
    }
    let j = i;
    while (j < end && !stop.includes(text[j]!)) j++;
    const s = text.slice(i, j);
    i = j;
    return s;
  };
  while (i < end) {
    const key = readItem(":");
    while (i < end && text[i] !== ":") i++;
    i++;
    const value = readItem(",");
    out[key] = value;
    while (i < end && text[i] !== ",") i++;
    i++;
  }
  return out;
}
