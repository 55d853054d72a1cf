// The dump grammar's tokens: coarse, one per line (one per func+file line pair), matched by hand-written matchers.
import { createToken, type TokenType } from "chevrotain";

// Character codes used by the matchers.
const NL = 10;
const CR = 13;
const TAB = 9;
const SP = 32;
const COLON = 58;

/** Index of the end of the line starting at `i` (position of '\n', or text length). */
export function lineEnd(text: string, i: number): number {
  const e = text.indexOf("\n", i);
  return e === -1 ? text.length : e;
}

/** `e` minus a trailing '\r' (CRLF input). */
function trimCR(text: string, start: number, e: number): number {
  return e > start && text.charCodeAt(e - 1) === CR ? e - 1 : e;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isBlankLine(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c !== SP && c !== TAB && c !== CR) return false;
  }
  return true;
}

/** Advances past the newline ending at `e` (if any). */
function next(text: string, e: number): number {
  return e < text.length ? e + 1 : e;
}

function result(text: string, start: number, end: number): [string] {
  return [text.substring(start, end)];
}

/** True when [s, e) is a goroutine header line `goroutine N ...:` (the text after N is checked by the parser). */
export function isHeaderAt(text: string, s: number, e: number): boolean {
  if (text.charCodeAt(s) !== 103 /* g */ || !text.startsWith("goroutine ", s)) return false;
  if (!isDigit(text.charCodeAt(s + 10))) return false;
  const t = trimCR(text, s, e);
  // Header lines end with ':' (after `]` or a 1.27 `{labels}`); trailing spaces come from copy-paste.
  // Trailing spaces and control characters (copy-paste debris, NULs) after the ':' are ignored.
  let k = t - 1;
  while (k > s && text.charCodeAt(k) <= SP) k--;
  if (text.charCodeAt(k) !== COLON) return false;
  for (let i = s + 11; i < k; i++) if (text.charCodeAt(i) === 91 /* [ */) return true;
  return false;
}

/**
 * A file line: indented (TAB or spaces), and `FILE:LINE` possibly followed by ` +0xOFF`,
 * ` fp=.. sp=.. pc=..` or a cgo symbolizer's ` pc=HEX`.
 */
export function isFileLine(text: string, s: number, e: number): boolean {
  const c0 = text.charCodeAt(s);
  if (c0 !== TAB && c0 !== SP) return false;
  // Scan backward inside the line (no substring, no unbounded search): drop trailing ` +0xOFF`,
  // ` fp=` ` sp=` ` pc=` words, then expect `:DIGITS`.
  let t = trimCR(text, s, e);
  while (t > s && text.charCodeAt(t - 1) === SP) t--;
  for (;;) {
    let sp = t - 1;
    while (sp > s && text.charCodeAt(sp) !== SP) sp--;
    if (sp <= s) break;
    const c1 = text.charCodeAt(sp + 1);
    const isOffset = c1 === 43 /* + */ && text.charCodeAt(sp + 2) === 48; /* 0 */
    const isReg =
      text.charCodeAt(sp + 3) === 61 /* = */ && (c1 === 102 || c1 === 115 || c1 === 112); /* f s p */
    if (!isOffset && !isReg) break;
    t = sp;
  }
  let d = t;
  while (d > s && isDigit(text.charCodeAt(d - 1))) d--;
  return d < t && d > s + 1 && text.charCodeAt(d - 1) === COLON;
}

/** `goroutine N ...:` — a goroutine block header (runtime `goroutineheader`). */
export const Header = createToken({
  name: "Header",
  line_breaks: true,
  start_chars_hint: ["g"],
  pattern: {
    exec: (text: string, offset: number) => {
      const e = lineEnd(text, offset);
      return isHeaderAt(text, offset, e) ? result(text, offset, next(text, e)) : null;
    },
  },
});

/** `created by F [in goroutine N]` and its file line. */
export const CreatedBy = createToken({
  name: "CreatedBy",
  line_breaks: true,
  start_chars_hint: ["c"],
  pattern: {
    exec: (text: string, offset: number) => {
      if (!text.startsWith("created by ", offset)) return null;
      const e1 = lineEnd(text, offset);
      if (e1 >= text.length) return result(text, offset, e1);
      const e2 = lineEnd(text, e1 + 1);
      return isFileLine(text, e1 + 1, e2)
        ? result(text, offset, next(text, e2))
        : result(text, offset, e1 + 1);
    },
  },
});

/** `...N frames elided...` (1.21+) or `...additional frames elided...`. */
export const Elision = createToken({
  name: "Elision",
  line_breaks: true,
  start_chars_hint: ["."],
  pattern: {
    exec: (text: string, offset: number) => {
      if (!text.startsWith("...", offset)) return null;
      const e = lineEnd(text, offset);
      const t = trimCR(text, offset, e);
      if (!text.startsWith("elided...", t - 9)) return null;
      return result(text, offset, next(text, e));
    },
  },
});

/** `[originating from goroutine N]:` (GODEBUG=tracebackancestors). */
export const AncestorHeader = createToken({
  name: "AncestorHeader",
  line_breaks: true,
  start_chars_hint: ["["],
  pattern: {
    exec: (text: string, offset: number) => {
      if (!text.startsWith("[originating from goroutine ", offset)) return null;
      const e = lineEnd(text, offset);
      return result(text, offset, next(text, e));
    },
  },
});

/** `\tgoroutine running on other thread; stack unavailable` (crash dumps). */
export const Unavailable = createToken({
  name: "Unavailable",
  line_breaks: true,
  start_chars_hint: ["\t", " "],
  pattern: {
    exec: (text: string, offset: number) => {
      const e = lineEnd(text, offset);
      const t = trimCR(text, offset, e);
      if (!text.startsWith("goroutine running on other thread; stack unavailable", t - 52)) return null;
      if (!isBlankLine(text, offset, t - 52)) return null;
      return result(text, offset, next(text, e));
    },
  },
});

/** An empty (or whitespace-only) line: the separator between blocks. */
export const Blank = createToken({
  name: "Blank",
  line_breaks: true,
  start_chars_hint: ["\n", "\r", " ", "\t"],
  pattern: {
    exec: (text: string, offset: number) => {
      const e = lineEnd(text, offset);
      if (e === offset && e >= text.length) return null;
      return isBlankLine(text, offset, e) ? result(text, offset, next(text, e)) : null;
    },
  },
});

/** End of the frame pair starting at `offset` (after its file line), or -1 when there is none. */
function pairEnd(text: string, offset: number): number {
  const c0 = text.charCodeAt(offset);
  if (c0 === TAB || c0 === SP || c0 === NL || c0 === CR || Number.isNaN(c0)) return -1;
  const e1 = lineEnd(text, offset);
  if (e1 >= text.length) return -1;
  const e2 = lineEnd(text, e1 + 1);
  if (!isFileLine(text, e1 + 1, e2)) return -1;
  // Lines that are tokens of their own never start a frame, even when a file line follows them
  // (damaged input): `created by`, a goroutine header, an elision marker, an ancestor header.
  if (c0 === 99 /* c */ && text.startsWith("created by ", offset)) return -1;
  if (c0 === 103 /* g */ && isHeaderAt(text, offset, e1)) return -1;
  if (
    c0 === 46 /* . */ &&
    text.startsWith("...", offset) &&
    text.startsWith("elided...", trimCR(text, offset, e1) - 9)
  )
    return -1;
  if (c0 === 91 /* [ */ && text.startsWith("[originating from goroutine ", offset)) return -1;
  return next(text, e2);
}

/**
 * A run of frames: one or more `FUNC(ARGS)` (or cgo bare name) lines each followed by its indented
 * `FILE:LINE ...` line. One token per run instead of per line keeps the token count (which sets the
 * lexer's and the garbage collector's cost) near four per goroutine.
 */
export const FramePair = createToken({
  name: "FramePair",
  line_breaks: true,
  start_chars_hint: allChars(false),
  pattern: {
    exec: (text: string, offset: number) => {
      let end = pairEnd(text, offset);
      if (end === -1) return null;
      // A native line search per pair is faster than comparing a recursion's repeated pair char by
      // char (the lexer's time on the big bench dump).
      for (;;) {
        const e = pairEnd(text, end);
        if (e === -1) break;
        end = e;
      }
      return result(text, offset, end);
    },
  },
});

/** A header glued to preceding output (`...dumping all stacksgoroutine 1 [running]:`). */
export const GluedHeader = createToken({
  name: "GluedHeader",
  line_breaks: true,
  start_chars_hint: allChars(true),
  pattern: {
    exec: (text: string, offset: number) => {
      const e = lineEnd(text, offset);
      const line = text.substring(offset, e);
      let i = line.indexOf("goroutine ", 1);
      while (i !== -1) {
        if (isHeaderAt(text, offset + i, e)) return result(text, offset, next(text, e));
        i = line.indexOf("goroutine ", i + 1);
      }
      return null;
    },
  },
});

/** Any other line: preamble text, registers, noise. Kept raw. */
export const Other = createToken({
  name: "Other",
  line_breaks: true,
  start_chars_hint: allChars(true),
  pattern: {
    exec: (text: string, offset: number) => {
      if (offset >= text.length) return null;
      return result(text, offset, next(text, lineEnd(text, offset)));
    },
  },
});

/**
 * Every possible first character, for the catch-all tokens. Chevrotain indexes characters above 255
 * in buckets of 255, so one representative per bucket covers all of Unicode (a missing bucket would
 * make the lexer skip a character it has no token for).
 */
function allChars(withSpace: boolean): string[] {
  const out: string[] = [];
  for (let c = 0; c < 256; c++) {
    if (!withSpace && (c === TAB || c === SP || c === NL || c === CR)) continue;
    out.push(String.fromCharCode(c));
  }
  for (let c = 256; c < 65536; c += 255) out.push(String.fromCharCode(c));
  out.push(String.fromCharCode(65535));
  return out;
}

/** Token types in matching order: specific before general. */
export const ALL_TOKENS: TokenType[] = [
  Header,
  CreatedBy,
  Elision,
  AncestorHeader,
  Unavailable,
  Blank,
  FramePair,
  GluedHeader,
  Other,
];
