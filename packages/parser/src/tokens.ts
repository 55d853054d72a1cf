// The dump grammar's tokens: coarse, one per line (one per func+file line pair), matched by the hand-written
// matchers of line-matchers.ts.
import { createToken, type TokenType } from "chevrotain";
import {
  CR,
  createdByEnd,
  elisionEnd,
  isBlankLine,
  isHeaderAt,
  lineEnd,
  NL,
  next,
  pairEnd,
  SP,
  TAB,
  unavailableEnd,
} from "./line-matchers.ts";

function result(text: string, start: number, end: number): [string] {
  return [text.substring(start, end)];
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
      const e = createdByEnd(text, offset);
      return e === -1 ? null : result(text, offset, e);
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
      const e = elisionEnd(text, offset);
      return e === -1 ? null : result(text, offset, e);
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
  // `g`: logs that strip indentation leave the line unindented.
  start_chars_hint: ["\t", " ", "g"],
  pattern: {
    exec: (text: string, offset: number) => {
      const e = unavailableEnd(text, offset);
      return e === -1 ? null : result(text, offset, e);
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
