// The filter language shared by the group list and the graph: `wait:>10 state:chan created:serveConn` plus free text.
//
// Grammar (whitespace separates terms, every term is ANDed):
//   term   := ["-" | "!"] (key ":" values | text)
//   values := value ("," value)*          // commas mean OR inside one key
//   value  := bareword | "double quoted"
// Keys work at two levels: per goroutine (state, wait, created, fn, file, id, label, is:leaked,
// is:locked, free text) and per node or group (count, severity, is:ghost, is:orphan). A node or
// group is shown when its own terms hold and at least one of its goroutines passes the rest,
// so the counts a user sees are the goroutines that match, wherever they are drawn.

import { SEVERITIES as LEAK_SEVERITIES, type Severity } from "@gosleuth/leaks";

/**
 * The severities leaks assigns (its one list, most severe first), here from least to most severe:
 * `severity:medium` means medium or worse.
 */
export const SEVERITIES: readonly Severity[] = [...LEAK_SEVERITIES].reverse();
export type { Severity };

export type NumericOp = ">" | ">=" | "<" | "<=" | "=";
export interface NumericTest {
  readonly op: NumericOp | "range";
  readonly value: number;
  /** Upper bound for `a..b` (inclusive). */
  readonly to?: number;
}

export type FilterKey =
  | "state"
  | "wait"
  | "created"
  | "fn"
  | "file"
  | "id"
  | "label"
  | "count"
  | "severity"
  | "is"
  | "text";

export interface FilterTerm {
  readonly key: FilterKey;
  readonly negated: boolean;
  /** Lowercased values (OR). Numbers for wait/count/id are in `numeric`. */
  readonly values: readonly string[];
  readonly numeric?: readonly NumericTest[];
  /** Position of the term in the query text (0-based, end exclusive). */
  readonly start: number;
  readonly end: number;
}

export interface FilterError {
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

export interface ParsedFilter {
  readonly terms: readonly FilterTerm[];
  readonly errors: readonly FilterError[];
}

const KEY_ALIASES: Readonly<Record<string, FilterKey>> = {
  state: "state",
  s: "state",
  wait: "wait",
  w: "wait",
  created: "created",
  creator: "created",
  fn: "fn",
  func: "fn",
  function: "fn",
  file: "file",
  id: "id",
  label: "label",
  count: "count",
  severity: "severity",
  sev: "severity",
  is: "is",
};

const IS_VALUES = ["leaked", "locked", "ghost", "orphan"] as const;

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

interface Token {
  readonly text: string;
  /** The token began with a quote: `"a:b"` is free text, never key:value. */
  readonly quoted: boolean;
  readonly start: number;
  readonly end: number;
}

/** Splits on whitespace, keeping double-quoted runs (with `\"` escapes) inside one token. */
function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    while (i < q.length && /\s/.test(q[i]!)) i++;
    if (i >= q.length) break;
    const start = i;
    const quoted = q[i] === '"';
    let text = "";
    while (i < q.length && !/\s/.test(q[i]!)) {
      if (q[i] === '"') {
        i++;
        while (i < q.length && q[i] !== '"') {
          if (q[i] === "\\" && i + 1 < q.length) i++;
          text += q[i];
          i++;
        }
        i++; // closing quote (or end of input for an unterminated one)
      } else {
        text += q[i];
        i++;
      }
    }
    out.push({ text, quoted, start, end: Math.min(i, q.length) });
  }
  return out;
}

const NUM_RE = /^(>=|<=|>|<|=)?(\d+(?:\.\d+)?)(m|min|h)?$/;
const RANGE_RE = /^(\d+(?:\.\d+)?)(m|min|h)?\.\.(\d+(?:\.\d+)?)(m|min|h)?$/;

function unit(n: number, u: string | undefined, minutes: boolean): number {
  return minutes && u === "h" ? n * 60 : n;
}

function parseNumeric(v: string, minutes: boolean): NumericTest | string {
  const r = RANGE_RE.exec(v);
  if (r) {
    const a = unit(Number(r[1]), r[2], minutes);
    const b = unit(Number(r[3]), r[4], minutes);
    if (a > b) return `range ${v} is empty (${a} > ${b})`;
    return { op: "range", value: a, to: b };
  }
  const m = NUM_RE.exec(v);
  if (!m || (!minutes && m[3])) return `expected a number like 10, >10, <=5 or 10..60, got "${v}"`;
  const n = unit(Number(m[2]), m[3], minutes);
  // A bare wait means "at least": users type wait:10 meaning "waiting 10 minutes or more".
  const op = (m[1] as NumericOp | undefined) ?? (minutes ? ">=" : "=");
  return { op, value: n };
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

/** Parses a query. Never throws: bad terms become errors with their position and are left out. */
export function parseFilter(q: string): ParsedFilter {
  const terms: FilterTerm[] = [];
  const errors: FilterError[] = [];
  for (const tok of tokenize(q)) {
    let body = tok.text;
    let negated = false;
    if ((body.startsWith("-") || body.startsWith("!")) && body.length > 1) {
      negated = true;
      body = body.slice(1);
    }
    const colon = tok.quoted || (negated && q[tok.start + 1] === '"') ? -1 : body.indexOf(":");
    const rawKey = colon > 0 ? body.slice(0, colon).toLowerCase() : "";
    const key = colon > 0 ? KEY_ALIASES[rawKey] : undefined;
    // `main.go:42` or `http://` look like key:value; only known keys are keys, and an unknown
    // word that looks like a key is reported so a typo does not silently match nothing.
    if (colon > 0 && key === undefined && /^[a-z]+$/.test(rawKey) && !/[./]/.test(body.slice(0, colon))) {
      errors.push({
        start: tok.start,
        end: tok.end,
        message: `unknown filter key "${rawKey}" (known: state, wait, created, fn, file, id, label, count, severity, is)`,
      });
      continue;
    }
    if (key === undefined) {
      if (body.length === 0) continue;
      terms.push({ key: "text", negated, values: [body.toLowerCase()], start: tok.start, end: tok.end });
      continue;
    }
    const rest = body.slice(colon + 1);
    const values = rest
      .split(",")
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v.length > 0);
    if (values.length === 0) {
      errors.push({
        start: tok.start,
        end: tok.end,
        message: `${rawKey}: needs a value, e.g. ${example(key)}`,
      });
      continue;
    }
    if (key === "wait" || key === "count" || key === "id") {
      const numeric: NumericTest[] = [];
      let bad: string | undefined;
      for (const v of values) {
        const t = parseNumeric(v, key === "wait");
        if (typeof t === "string") bad = t;
        else numeric.push(t);
      }
      if (bad !== undefined) {
        errors.push({ start: tok.start, end: tok.end, message: `${rawKey}: ${bad}` });
        continue;
      }
      terms.push({ key, negated, values, numeric, start: tok.start, end: tok.end });
      continue;
    }
    if (key === "severity") {
      const badSev = values.find((v) => !(SEVERITIES as readonly string[]).includes(v));
      if (badSev !== undefined) {
        errors.push({
          start: tok.start,
          end: tok.end,
          message: `severity: unknown level "${badSev}" (use ${SEVERITIES.join(", ")})`,
        });
        continue;
      }
    }
    if (key === "is") {
      const badIs = values.find((v) => !(IS_VALUES as readonly string[]).includes(v));
      if (badIs !== undefined) {
        errors.push({
          start: tok.start,
          end: tok.end,
          message: `is: unknown flag "${badIs}" (use ${IS_VALUES.join(", ")})`,
        });
        continue;
      }
    }
    terms.push({ key, negated, values, start: tok.start, end: tok.end });
  }
  return { terms, errors };
}

function example(key: FilterKey): string {
  switch (key) {
    case "wait":
      return "wait:>10";
    case "count":
      return "count:>=100";
    case "id":
      return "id:42";
    case "severity":
      return "severity:high";
    case "is":
      return "is:leaked";
    case "state":
      return "state:chan";
    default:
      return `${key}:serveConn`;
  }
}

const GOROUTINE_KEYS: ReadonlySet<FilterKey> = new Set([
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

function quote(v: string): string {
  return /[\s",]/.test(v) ? `"${v.replace(/["\\]/g, "\\$&")}"` : v;
}

/**
 * Replaces every (non-negated) term of `key` in the query by `key:value`, or removes them when
 * value is null, leaving the rest of the text as typed. The filter controls (state checkboxes,
 * minimum wait, count and severity) edit the query this way, so the text stays the one truth.
 */
export function setTerm(q: string, key: Exclude<FilterKey, "text">, value: string | null): string {
  const toks = tokenize(q);
  const kept: string[] = [];
  for (const tok of toks) {
    const colon = tok.text.indexOf(":");
    const k = colon > 0 ? KEY_ALIASES[tok.text.slice(0, colon).toLowerCase()] : undefined;
    if (k === key) continue;
    kept.push(q.slice(tok.start, tok.end));
  }
  if (value !== null) kept.push(`${key}:${value.split(",").map(quote).join(",")}`);
  return kept.join(" ");
}

/** The values of the first non-negated `key` term, for showing a control's current value. */
export function termValues(q: string, key: FilterKey): readonly string[] {
  const t = parseFilter(q).terms.find((x) => x.key === key && !x.negated);
  return t ? t.values : [];
}
