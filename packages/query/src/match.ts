// Whether a goroutine or a node passes a parsed filter. A node or group is shown when its own terms hold and
// at least one of its goroutines passes the rest, so the counts a user sees are the goroutines that match.
import type { FilterTerm, NumericTest, ParsedFilter, Severity } from "./parse.ts";
import { SEVERITIES } from "./parse.ts";

/** What the goroutine-level terms look at. Text fields are expected lowercased already. */
export interface GoroutineSubject {
  readonly id: number;
  /** Raw state as printed (`chan receive`). */
  readonly state: string;
  readonly stateClass: string;
  readonly waitMinutes: number;
  /** Lowercased `function file:line` of the `created by` line, "" for roots. */
  readonly creatorText: string;
  /** Lowercased function names of every frame, newline-separated. */
  readonly funcsText: string;
  /** Lowercased file:line of every frame, newline-separated. */
  readonly filesText: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly leaked: boolean;
  readonly lockedToThread: boolean;
}

/** What the node-level terms look at (an aggregated tree node or a goroutine group). */
export interface NodeSubject {
  readonly count: number;
  readonly severity?: Severity | undefined;
  readonly ghost?: boolean | undefined;
  readonly orphan?: boolean | undefined;
}

export function testNumber(t: NumericTest, x: number): boolean {
  switch (t.op) {
    case ">":
      return x > t.value;
    case ">=":
      return x >= t.value;
    case "<":
      return x < t.value;
    case "<=":
      return x <= t.value;
    case "=":
      return x === t.value;
    case "range":
      return x >= t.value && x <= (t.to ?? t.value);
  }
}

const GOROUTINE_KEYS: ReadonlySet<FilterTerm["key"]> = new Set([
  "state",
  "wait",
  "created",
  "fn",
  "file",
  "id",
  "label",
  "text",
]);

function isGoroutineTerm(t: FilterTerm): boolean {
  if (t.key === "is") return t.values.every((v) => v === "leaked" || v === "locked");
  return GOROUTINE_KEYS.has(t.key);
}

function labelMatch(labels: Readonly<Record<string, string>> | undefined, v: string): boolean {
  if (!labels) return false;
  const eq = v.indexOf("=");
  for (const k in labels) {
    const val = labels[k]!;
    if (eq >= 0) {
      if (k.toLowerCase() === v.slice(0, eq) && val.toLowerCase().includes(v.slice(eq + 1))) return true;
    } else if (k.toLowerCase().includes(v) || val.toLowerCase().includes(v)) {
      return true;
    }
  }
  return false;
}

function stateMatch(g: GoroutineSubject, v: string): boolean {
  // `state:chan` should find both `chan receive` and the class `chan-receive`; `state:chan-receive`
  // names the class exactly as the legend does.
  return g.stateClass === v || g.state.toLowerCase().includes(v) || g.stateClass.includes(v);
}

function goroutineTermHolds(t: FilterTerm, g: GoroutineSubject): boolean {
  switch (t.key) {
    case "state":
      return t.values.some((v) => stateMatch(g, v));
    case "wait":
      return (t.numeric ?? []).some((n) => testNumber(n, g.waitMinutes));
    case "id":
      return (t.numeric ?? []).some((n) => testNumber(n, g.id));
    case "created":
      return t.values.some((v) => g.creatorText.includes(v));
    case "fn":
      return t.values.some((v) => g.funcsText.includes(v));
    case "file":
      return t.values.some((v) => g.filesText.includes(v));
    case "label":
      return t.values.some((v) => labelMatch(g.labels, v));
    case "is":
      return t.values.some((v) => (v === "leaked" ? g.leaked : g.lockedToThread));
    case "text": {
      const v = t.values[0]!;
      return (
        g.funcsText.includes(v) ||
        g.filesText.includes(v) ||
        g.creatorText.includes(v) ||
        g.state.toLowerCase().includes(v) ||
        String(g.id) === v ||
        labelMatch(g.labels, v)
      );
    }
    default:
      return true;
  }
}

function nodeTermHolds(t: FilterTerm, n: NodeSubject): boolean {
  switch (t.key) {
    case "count":
      return (t.numeric ?? []).some((x) => testNumber(x, n.count));
    case "severity": {
      if (n.severity === undefined) return false;
      const have = SEVERITIES.indexOf(n.severity);
      return t.values.some((v) => have >= SEVERITIES.indexOf(v as Severity));
    }
    case "is":
      return t.values.some((v) =>
        v === "ghost" ? n.ghost === true : v === "orphan" ? n.orphan === true : false,
      );
    default:
      return true;
  }
}

export interface CompiledFilter {
  /** False when the query has no terms at all: everything is shown. */
  readonly active: boolean;
  /** Null when no goroutine-level term is present. */
  readonly goroutine: ((g: GoroutineSubject) => boolean) | null;
  /** Null when no node-level term is present. */
  readonly node: ((n: NodeSubject) => boolean) | null;
}

export function compileFilter(parsed: ParsedFilter): CompiledFilter {
  const gTerms = parsed.terms.filter(isGoroutineTerm);
  const nTerms = parsed.terms.filter((t) => !isGoroutineTerm(t));
  return {
    active: parsed.terms.length > 0,
    goroutine:
      gTerms.length === 0 ? null : (g) => gTerms.every((t) => goroutineTermHolds(t, g) !== t.negated),
    node: nTerms.length === 0 ? null : (n) => nTerms.every((t) => nodeTermHolds(t, n) !== t.negated),
  };
}
