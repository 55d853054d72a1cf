// Splits Go function symbols into package, receiver, name and suffixes, interning one object per symbol.
import type { FunctionName } from "@gosleuth/model";

const cache = new Map<string, FunctionName>();
/**
 * The suffixes of the (most) names that have none, one frozen list for all of them: an empty list each
 * cost 32 bytes a distinct function (3 MB where 100,000 functions appear).
 */
const NO_SUFFIXES: readonly string[] = Object.freeze([]);
const SUFFIX = /^(func\d+|gowrap\d+|deferwrap\d+|\d+)$/;

/** An unsliced copy of a (possibly sliced) V8 string, so interned values never keep a big input chunk alive. */
export function unsliced(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

function split(full: string): FunctionName {
  // Package path: up to the last '/', then up to the first '.' after it (import paths may contain dots
  // in earlier elements: gopkg.in/yaml.v3, so only the last element is cut at its first dot).
  const slash = full.lastIndexOf("/", full.indexOf("(") === -1 ? full.length : full.indexOf("("));
  let dot = full.indexOf(".", slash + 1);
  // gopkg.in/yaml.v3.(*decoder).f and dd-trace-go.v1/...: a `.vN` element belongs to the path.
  while (dot !== -1 && /^v\d+\./.test(full.slice(dot + 1)) && full.indexOf(".", dot + 1) !== -1) {
    dot = full.indexOf(".", dot + 1);
  }
  if (dot === -1 || full.includes(" ")) {
    // C symbols, `panic` (runtime.gopanic as printed), odd names: no package.
    return { full, pkg: "", name: full, generic: full.includes("[...]"), suffixes: NO_SUFFIXES };
  }
  const pkg = full.slice(0, dot);
  let rest = full.slice(dot + 1);
  let receiver: string | undefined;
  if (rest.startsWith("(")) {
    // (*T).M, (*T[...]).M
    const close = rest.indexOf(").");
    if (close !== -1) {
      receiver = rest.slice(1, close);
      rest = rest.slice(close + 2);
    }
  } else {
    // Value receivers print as T.M: a first element starting with an upper-case letter followed by a
    // method name is a receiver type (functions are rarely upper-case-then-dot).
    const i = rest.indexOf(".");
    if (i > 0) {
      const first = rest.slice(0, i);
      const next = rest.slice(i + 1).split(".")[0] ?? "";
      if (/^[A-Z]/.test(first) && !SUFFIX.test(next) && first !== "glob") {
        receiver = first;
        rest = rest.slice(i + 1);
      }
    }
  }
  let name = rest;
  if (name.endsWith("-fm")) name = name.slice(0, -3);
  const parts = name.split(".");
  const suffixes: string[] = [];
  for (let i = 1; i < parts.length; i++) if (SUFFIX.test(parts[i]!)) suffixes.push(parts[i]!);
  if (rest.endsWith("-fm")) suffixes.push("fm");
  return {
    full,
    pkg,
    receiver,
    name: rest,
    generic: full.includes("[...]"),
    suffixes: suffixes.length === 0 ? NO_SUFFIXES : suffixes,
  };
}

/** The interned FunctionName for a symbol as printed. */
export function functionName(full: string): FunctionName {
  let f = cache.get(full);
  if (f === undefined) {
    const key = unsliced(full);
    f = split(key);
    // Bounded: a dump whose stacks are each in a function of its own kept a name object per function to
    // the end of the run (100,000 of them, 10 MB of `summary`'s live heap); real dumps have a few thousand.
    if (cache.size >= 65_536) cache.clear();
    cache.set(key, f);
  }
  return f;
}
