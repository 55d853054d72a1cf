// Field extraction for the tokens' text: goroutine headers, frame pairs, `created by` lines, labels.
import type { CreatedBy, Frame } from "@gosleuth/model";
import { flat, functionName } from "./function-name.ts";

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

const stateIntern = new Map<string, string>();
function internState(s: string): string {
  let v = stateIntern.get(s);
  if (v === undefined) {
    v = flat(s);
    if (stateIntern.size < 10_000) stateIntern.set(v, v);
  }
  return v;
}

function stripLineEnd(line: string): string {
  let e = line.length;
  if (e > 0 && line.charCodeAt(e - 1) === 10) e--;
  if (e > 0 && line.charCodeAt(e - 1) === 13) e--;
  return e === line.length ? line : line.slice(0, e);
}

const headerCache = new Map<string, HeaderFields>();

/**
 * Parses `goroutine N [gp=.. m=.. mp=..] [STATE, ...] [{labels}]:` (right to left, see the format
 * reference §2.1). What follows the id repeats across goroutines (`[chan receive, 5 minutes]:`), so
 * its parse is cached by that text; only headers carrying a per-goroutine `gp=` skip the cache.
 */
export function parseHeader(lineIn: string): HeaderFields {
  if (!lineIn.startsWith("goroutine ")) return parseHeaderText(lineIn);
  let i = 10;
  while (i < lineIn.length && lineIn.charCodeAt(i) >= 48 && lineIn.charCodeAt(i) <= 57) i++;
  if (i === 10 || lineIn.startsWith(" gp=", i)) return parseHeaderText(lineIn);
  const rest = lineIn.substring(i);
  let t = headerCache.get(rest);
  if (t === undefined) {
    t = parseHeaderText(`goroutine 0${rest}`);
    if (headerCache.size >= 10_000) headerCache.clear();
    headerCache.set(flat(rest), t);
  }
  const h: HeaderFields = { ...t };
  const idText = lineIn.substring(10, i);
  h.id = Number(idText);
  if (!Number.isSafeInteger(h.id)) h.idText = flat(idText);
  return h;
}

function parseHeaderText(lineIn: string): HeaderFields {
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
  if (!Number.isSafeInteger(h.id)) h.idText = flat(idText);
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

const frameCache = new Map<string, Frame>();
const FRAME_CACHE_MAX = 50_000;

type FileParts = ReturnType<typeof fileParts>;

/**
 * File lines seen (flat copies as keys), split once: frames that differ only in their arguments, and the
 * `created by` lines of siblings, share one location. Distinct file lines are distinct PCs: few.
 */
const locCache = new Map<string, FileParts>();

function locOf(l2: string): FileParts {
  let loc = locCache.get(l2);
  if (loc === undefined) {
    const key = flat(l2);
    loc = fileParts(key);
    if (locCache.size >= 100_000) locCache.clear();
    locCache.set(key, loc);
  }
  return loc;
}

/**
 * Forgets the frame-interning table (its keys are copies of frame text). Called when a stream ends:
 * the frames handed out stay valid, only sharing with the next dump's frames is lost.
 */
export function releaseInternedFrames(): void {
  frameCache.clear();
  lookups = 0;
  hits = 0;
  uncachedLeft = 0;
  uncachedRun = UNCACHED_RUN;
  locCache.clear();
}

/** Splits a file line `\tFILE:LINE [+0xOFF] [fp=.. sp=.. pc=..]` into its parts. */
function fileParts(line: string): {
  file: string;
  line: number;
  offset?: string;
  fp?: string;
  sp?: string;
  pc?: string;
  indent?: string;
} {
  let s = 0;
  while (s < line.length && (line.charCodeAt(s) === 9 || line.charCodeAt(s) === 32)) s++;
  const indent = s === 1 && line.charCodeAt(0) === 9 ? undefined : line.slice(0, s);
  let t = line.length;
  if (t > 0 && line.charCodeAt(t - 1) === 13) t--;
  const out: ReturnType<typeof fileParts> = { file: "", line: 0 };
  if (indent !== undefined) out.indent = indent;
  const fp = line.lastIndexOf(" fp=", t);
  if (fp > s) {
    for (const kv of line.slice(fp + 1, t).split(" ")) {
      if (kv.startsWith("fp=")) out.fp = kv.slice(3);
      else if (kv.startsWith("sp=")) out.sp = kv.slice(3);
      else if (kv.startsWith("pc=")) out.pc = kv.slice(3);
    }
    t = fp;
  } else {
    const pc = line.lastIndexOf(" pc=", t);
    if (pc > s) {
      out.pc = line.slice(pc + 4, t);
      t = pc;
    }
  }
  const plus = line.lastIndexOf(" +0x", t);
  if (plus > s) {
    out.offset = line.slice(plus + 2, t);
    t = plus;
  }
  const colon = line.lastIndexOf(":", t);
  out.file = line.slice(s, colon);
  out.line = Number(line.slice(colon + 1, t));
  return out;
}

// The frame table's record since it was last cleared, and how many frames are still to be built
// without it (see frameFromPair).
let lookups = 0;
let hits = 0;
let uncachedLeft = 0;
/**
 * Frames built without the table after a full table was found to be mostly misses: 500,000 at first,
 * twice as many after each further table of misses (each table's entries outlive young-generation GCs).
 */
const UNCACHED_RUN = 500_000;
let uncachedRun = UNCACHED_RUN;

/**
 * The Frame for a FramePair token's text (`FUNC(ARGS)\n\tFILE:LINE ...\n`): interned, so repeated frames
 * are one object. When pointer arguments differ in every goroutine, nearly every pair is new: a table
 * that fills up with misses only costs time and memory (each entry survives into the old generation),
 * so frames are then built without it for a while, and the table is tried again after. (`summary` of the
 * 216k goroutines with every argument made unique, one thread: 3.70 s and 662 MB peak RSS with a table of
 * 500,000 entries, 2.51 s and 198 MB with 50,000 and file lines shared; the README has the bench figures
 * with all of this.)
 */
export function frameFromPair(image: string): Frame {
  if (uncachedLeft > 0) {
    uncachedLeft--;
    return buildFrame(image, false);
  }
  lookups++;
  let f = frameCache.get(image);
  if (f !== undefined) {
    hits++;
    return f;
  }
  f = buildFrame(image, true);
  if (frameCache.size >= FRAME_CACHE_MAX) {
    if (hits * 2 < lookups) {
      uncachedLeft = uncachedRun;
      uncachedRun = Math.min(uncachedRun * 2, 64 * UNCACHED_RUN);
    } else uncachedRun = UNCACHED_RUN;
    frameCache.clear();
    lookups = 0;
    hits = 0;
  }
  return f;
}

/** Builds the Frame of a pair; `intern`: keep it in the table (under a copy of the text). */
function buildFrame(image: string, intern: boolean): Frame {
  // Interned, the frame's strings are slices of one copy of the text; otherwise only the arguments are
  // copied (a slice would keep the whole piece of input alive), the rest comes from shared tables.
  const key = intern ? flat(image) : image;
  const nl = key.indexOf("\n");
  let e1 = nl === -1 ? key.length : nl;
  if (e1 > 0 && key.charCodeAt(e1 - 1) === 13) e1--;
  let l2 = nl === -1 ? "" : key.slice(nl + 1);
  if (l2.endsWith("\n")) l2 = l2.slice(0, -1);
  const loc = locOf(l2);
  let fn: string;
  let args = "";
  let bare = false;
  const lp = key.lastIndexOf("(", e1 - 1);
  if (e1 > 0 && key.charCodeAt(e1 - 1) === 41 && lp > 0) {
    fn = key.slice(0, lp);
    args = key.slice(lp + 1, e1 - 1);
    if (!intern) args = flat(args);
  } else {
    fn = key.slice(0, e1);
    bare = true;
  }
  const frame: Frame & { bare?: boolean } = {
    fn: functionName(fn),
    args,
    inlined: args === "...",
    ...loc,
  };
  if (bare) frame.bare = true;
  if (intern) frameCache.set(key, frame);
  return frame;
}

/**
 * A `created by F [in goroutine N]` token (with its file line when present). The whole text is not
 * interned (it holds the parent's id: a table keyed by it cost more than it saved, 2.12 s with and
 * 1.89 s without on the 216k dump), but its function name and its file line are.
 */
export function createdByFrom(image: string): CreatedBy {
  const nl = image.indexOf("\n");
  let l1 = nl === -1 ? image : image.slice(0, nl);
  if (l1.endsWith("\r")) l1 = l1.slice(0, -1);
  l1 = l1.slice(11);
  let parentId: number | undefined;
  const ig = l1.lastIndexOf(" in goroutine ");
  if (ig !== -1) {
    parentId = Number(l1.slice(ig + 14));
    l1 = l1.slice(0, ig);
  }
  let l2 = nl === -1 ? "" : image.slice(nl + 1);
  if (l2.endsWith("\n")) l2 = l2.slice(0, -1);
  const loc = l2 === "" ? undefined : locOf(l2);
  const c: { -readonly [K in keyof CreatedBy]: CreatedBy[K] } = {
    fn: functionName(l1),
    file: loc === undefined ? "" : loc.file,
    line: loc === undefined ? 0 : loc.line,
  };
  if (parentId !== undefined && Number.isFinite(parentId)) c.parentId = parentId;
  if (loc?.offset !== undefined) c.offset = loc.offset;
  if (loc?.indent !== undefined) c.indent = loc.indent;
  return c;
}
