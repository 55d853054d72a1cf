// The filter language's text: `wait:>10 state:chan created:serveConn` plus free text, read into terms.
//
// Grammar (whitespace separates terms, every term is ANDed):
//   term   := ["-" | "!"] (key ":" values | text)
//   values := value ("," value)*          // commas mean OR inside one key
//   value  := bareword | "double quoted"
// Keys work at two levels: per goroutine (state, wait, created, fn, file, id, label, is:leaked,
// is:locked, free text) and per node or group (count, severity, is:ghost, is:orphan); match.ts says
// how the two levels combine.

// From the settings module alone: the package's index would bring the whole leak analysis into every
// bundle that filters (the CLI's summary and stacks, the viewer).
import { SEVERITIES as LEAK_SEVERITIES, type Severity } from "@gosleuth/leaks/settings";

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

export const KEY_ALIASES: Readonly<Record<string, FilterKey>> = {
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

/** Keys whose values come from a fixed list: the list, and what the error calls one value. */
const ALLOWED_VALUES: Partial<Record<FilterKey, { noun: string; values: readonly string[] }>> = {
  severity: { noun: "level", values: SEVERITIES },
  is: { noun: "flag", values: IS_VALUES },
};

export interface Token {
  readonly text: string;
  /** The token began with a quote: `"a:b"` is free text, never key:value. */
  readonly quoted: boolean;
  readonly start: number;
  readonly end: number;
}

/** Splits on whitespace, keeping double-quoted runs (with `\"` escapes) inside one token. */
export function tokenize(q: string): Token[] {
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
    const allowed = ALLOWED_VALUES[key];
    if (allowed !== undefined) {
      const bad = values.find((v) => !allowed.values.includes(v));
      if (bad !== undefined) {
        errors.push({
          start: tok.start,
          end: tok.end,
          message: `${key}: unknown ${allowed.noun} "${bad}" (use ${allowed.values.join(", ")})`,
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
