// Goroutine header lines (`goroutine N [state, N minutes, locked to thread]:` and their 1.22+ and
// 1.26+ additions) split into fields.
import type { StateClass } from "@gosleuth/model";
import { unsliced } from "./function-name.ts";
import { parseLabels } from "./labels.ts";
import { classifyState } from "./state.ts";

export interface HeaderFields {
  id: number;
  idText?: string;
  state: string;
  leaked: boolean;
  scan: boolean;
  durable: boolean;
  waitMinutes: number;
  lockedToThread: boolean;
  synctest?: { kind: "bubble" | "group"; id: number };
  labels?: Record<string, string>;
  labelsRaw?: { position: "inside" | "after"; text: string };
  gp?: string;
  m?: string;
  mp?: string;
  extraState?: string[];
  /** Text before `goroutine` on a glued line. */
  glued?: string;
  /** What could not be understood in the header (the goroutine is kept anyway). */
  problem?: string;
}

function stripLineEnd(line: string): string {
  let e = line.length;
  if (e > 0 && line.charCodeAt(e - 1) === 10) e--;
  if (e > 0 && line.charCodeAt(e - 1) === 13) e--;
  return e === line.length ? line : line.slice(0, e);
}

/** Distinct header tails kept per session; a dump has few (state, minutes, labels). */
const HEADER_TABLE_MAX = 10_000;

/** Tails up to this length (newline included) are also kept by their length, for `parseAt`. */
const BY_LENGTH_MAX = 256;

/** A header tail's parse, as the table keeps it: the fields and the state's class, worked out once. */
export interface HeaderTail {
  /** The tail's text (what follows the id, its newline included), an unsliced copy. */
  readonly key: string;
  readonly fields: Readonly<HeaderFields>;
  readonly stateClass: StateClass;
}

/** Whether `text` holds `key` at `i` (compared from the end: tails of one length differ late, in labels). */
function keyAt(text: string, i: number, key: string): boolean {
  for (let k = key.length - 1; k >= 0; k--) if (text.charCodeAt(i + k) !== key.charCodeAt(k)) return false;
  return true;
}

/**
 * Goroutine headers of one parsing session. What follows the id repeats across goroutines
 * (`[chan receive, 5 minutes]:`), so its parse is kept by that text; only headers carrying a
 * per-goroutine `gp=` are parsed every time. Each session has its own tables, so two parsers in one
 * process never share (or clear) each other's entries.
 */
export class HeaderTable {
  private readonly tails = new Map<string, HeaderTail>();
  /**
   * The tail last found of each length. A dump has a few states, most of them of different lengths,
   * so a header's tail is found by a compare where it lies: no substring, no hash.
   */
  private readonly byLength: (HeaderTail | undefined)[] = new Array(BY_LENGTH_MAX + 1).fill(undefined);
  private readonly states = new Map<string, string>();
  private readonly internState = (s: string): string => {
    let v = this.states.get(s);
    if (v === undefined) {
      v = unsliced(s);
      if (this.states.size < HEADER_TABLE_MAX) this.states.set(v, v);
    }
    return v;
  };

  /** The id (and, when it is no safe integer, its text) of the header `parse` read last. */
  id = 0;
  idText: string | undefined;
  /** The table's shared entry that `parse` returned last, or undefined when it parsed a header apart. */
  shared: HeaderTail | undefined;

  /**
   * Parses `goroutine N [gp=.. m=.. mp=..] [STATE, ...] [{labels}]:` (see parseHeader). The id is
   * left in `id` and `idText`; the fields returned may be this table's shared entry for the header's
   * tail (its `id` is then 0): read them, never change them.
   */
  parse(lineIn: string): Readonly<HeaderFields> {
    if (lineIn.startsWith("goroutine ")) {
      const i = this.idAt(lineIn, 10);
      if (i !== -1) {
        this.shared = this.tail(lineIn, i, lineIn.length);
        return this.shared.fields;
      }
    }
    return this.apart(lineIn);
  }

  /**
   * `parse` of the header line that starts at `s` in `text` and ends at `e` (its newline, or the
   * text's end), where `isHeaderAt` found one: the same result, without cutting the line out.
   */
  parseAt(text: string, s: number, e: number): Readonly<HeaderFields> {
    const ne = e < text.length ? e + 1 : e;
    const i = this.idAt(text, s + 10);
    if (i !== -1) {
      const l = ne - i;
      if (l <= BY_LENGTH_MAX) {
        const t = this.byLength[l];
        if (t !== undefined && keyAt(text, i, t.key)) {
          this.shared = t;
          return t.fields;
        }
      }
      const t = this.tail(text, i, ne);
      if (l <= BY_LENGTH_MAX) this.byLength[l] = t;
      this.shared = t;
      return t.fields;
    }
    return this.apart(text.substring(s, ne));
  }

  /**
   * Reads the id whose digits start at `d` into `id`; returns where its tail starts, or -1 when the
   * header is parsed apart: no digits, more than 15 (summed exactly up to 15; longer ids go through
   * Number() as parseHeaderText does), or a per-goroutine ` gp=`.
   */
  private idAt(text: string, d: number): number {
    let id = 0;
    let i = d;
    for (;;) {
      const c = text.charCodeAt(i);
      if (!(c >= 48 && c <= 57)) break;
      id = id * 10 + (c - 48);
      i++;
    }
    if (i === d || i - d > 15 || text.startsWith(" gp=", i)) return -1;
    this.id = id;
    this.idText = undefined;
    return i;
  }

  /** The table's entry for the tail text[i, end), parsed when new. */
  private tail(text: string, i: number, end: number): HeaderTail {
    const rest = text.substring(i, end);
    let t = this.tails.get(rest);
    if (t === undefined) {
      const fields = parseHeaderText(`goroutine 0${rest}`, this.internState);
      const key = unsliced(rest);
      t = { key, fields, stateClass: classifyState(fields.state) };
      if (this.tails.size >= HEADER_TABLE_MAX) {
        this.tails.clear();
        this.byLength.fill(undefined);
      }
      this.tails.set(key, t);
    }
    return t;
  }

  private apart(lineIn: string): Readonly<HeaderFields> {
    const h = parseHeaderText(lineIn, this.internState);
    this.id = h.id;
    this.idText = h.idText;
    this.shared = undefined;
    return h;
  }
}

/**
 * Parses `goroutine N [gp=.. m=.. mp=..] [STATE, ...] [{labels}]:` right to left (the format
 * reference, section 2.1), without any table: what a session's HeaderTable does for each new header.
 */
export function parseHeader(line: string): HeaderFields {
  return parseHeaderText(line, unsliced);
}

function parseHeaderText(lineIn: string, internState: (s: string) => string): HeaderFields {
  let line = stripLineEnd(lineIn);
  let glued: string | undefined;
  if (!line.startsWith("goroutine ")) {
    const i = findHeaderStart(line);
    glued = line.slice(0, i);
    line = line.slice(i);
  }
  let end0 = line.length;
  while (end0 > 0 && line.charCodeAt(end0 - 1) <= 32) end0--;
  if (end0 < line.length) line = line.slice(0, end0);
  const h: HeaderFields = {
    id: 0,
    state: "",
    leaked: false,
    scan: false,
    durable: false,
    waitMinutes: 0,
    lockedToThread: false,
  };
  if (glued !== undefined) h.glued = glued;
  let i = 10;
  while (i < line.length && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  const idText = line.slice(10, i);
  h.id = Number(idText);
  if (!Number.isSafeInteger(h.id)) h.idText = unsliced(idText);
  const open = line.indexOf("[", i);
  if (open === -1) {
    h.problem = "no [state] in goroutine header";
    return h;
  }
  // ` gp=HEX m=N mp=HEX` between the id and the bracket (1.22+).
  if (open > i + 1) {
    for (const part of line.slice(i + 1, open - 1).split(" ")) {
      if (part.startsWith("gp=")) h.gp = part.slice(3);
      else if (part.startsWith("mp=")) h.mp = part.slice(3);
      else if (part.startsWith("m=")) h.m = part.slice(2);
      else if (part !== "") h.problem = `unexpected "${part}" in goroutine header`;
    }
  }
  // The line ends with ':'; 1.27 labels sit between `]` and `:` as ` {…}`.
  let end = line.length - 1; // index of ':'
  let close: number;
  if (line.charCodeAt(end - 1) === 125 /* } */) {
    const lb = line.indexOf("] {", open);
    if (lb !== -1) {
      const text = line.slice(lb + 2, end);
      h.labelsRaw = { position: "after", text };
      h.labels = parseLabels(text);
      close = lb;
    } else close = line.lastIndexOf("]", end);
  } else close = line.lastIndexOf("]", end);
  if (close < open) {
    h.problem = "unterminated [state] in goroutine header";
    close = end;
  }
  let inside = line.slice(open + 1, close);
  if (close + 1 < end && h.labelsRaw === undefined) {
    h.problem = `unexpected "${line.slice(close + 1, end)}" after the goroutine header's state`;
  }
  end = close;
  // 1.26 labels inside the brackets: `[select labels:{"k": "v"}]`.
  const li = inside.indexOf(" labels:{");
  if (li !== -1 && inside.endsWith("}")) {
    const text = inside.slice(li + 8);
    h.labelsRaw = { position: "inside", text };
    h.labels = parseLabels(text);
    inside = inside.slice(0, li);
  }
  const parts = inside.split(", ");
  let state = parts[0] ?? "";
  // Marks appended by goroutineheader, in this order: (leaked) (scan) (durable).
  if (state.endsWith(" (durable)")) {
    h.durable = true;
    state = state.slice(0, -10);
  }
  if (state.endsWith(" (scan)")) {
    h.scan = true;
    state = state.slice(0, -7);
  }
  if (state.endsWith(" (leaked)")) {
    h.leaked = true;
    state = state.slice(0, -9);
  }
  h.state = internState(state);
  for (let k = 1; k < parts.length; k++) {
    const p = parts[k]!;
    if (p.endsWith(" minutes")) h.waitMinutes = Number(p.slice(0, -8)) || 0;
    else if (p === "locked to thread") h.lockedToThread = true;
    else if (p.startsWith("synctest bubble ")) h.synctest = { kind: "bubble", id: Number(p.slice(16)) };
    else if (p.startsWith("synctest group ")) h.synctest = { kind: "group", id: Number(p.slice(15)) };
    else (h.extraState ??= []).push(p);
  }
  return h;
}

function findHeaderStart(line: string): number {
  let i = line.indexOf("goroutine ", 1);
  while (i !== -1) {
    const c = line.charCodeAt(i + 10);
    if (c >= 48 && c <= 57) return i;
    i = line.indexOf("goroutine ", i + 1);
  }
  return 0;
}
