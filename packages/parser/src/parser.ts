// The parser of traceback text: a fast path for the usual goroutine blocks, the grammar (grammar.ts) for the rest.
import type { ModelBuilder } from "./builder.ts";
import { parseWithGrammar } from "./grammar.ts";
import {
  createdByEnd,
  elisionEnd,
  isBlankLine,
  isHeaderAt,
  lineEnd,
  next,
  unavailableEnd,
} from "./line-matchers.ts";

let grammarOnly = false;
/**
 * How many blocks the fast path read, how many of them at once, and how many `created by` tokens it took
 * as ones read before (tests check that each ran).
 */
export const fastPathStats = { blocks: 0, predicted: 0, knownCreatedBy: 0 };

/** For tests: every line through the lexer and the grammar (no fast path), to compare the two. */
export function setGrammarOnly(on: boolean): void {
  grammarOnly = on;
}

/**
 * Parses one piece of text (whole goroutine blocks) into the builder. Never throws on input.
 *
 * Most of a dump is goroutine blocks of the usual shape (header, frame pairs, elision markers,
 * `created by`, a blank line). Those are read here directly: at each line the same matchers as the
 * lexer's tokens are tried in the lexer's order (tokens.ts), and the builder gets the same actions,
 * in the same order, as the grammar would give it, without the token objects and the grammar's
 * bookkeeping. Everything else (a preamble, lines between blocks, glued headers, ancestors, stray
 * lines) is parsed by the lexer and the grammar, from there up to the next header line: a header line
 * always starts a token and ends any block, so the grammar sees what it would have seen in the whole
 * text. Ancestor sections (tracebackancestors) are rare: a piece holding one goes to the grammar whole.
 */
export function parseText(text: string, b: ModelBuilder): void {
  if (grammarOnly || text.includes("[originating from goroutine ")) {
    parseWithGrammar(text, b);
    return;
  }
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    let le: number;
    if (c === 10) {
      // A Blank token: the lexer's only candidate for an empty line.
      b.blank("\n");
      pos++;
    } else if (c === 103 /* g */ && isHeaderAt(text, pos, (le = lineEnd(text, pos)))) {
      pos = block(text, pos, le, b);
    } else if ((c === 13 || c === 32 || c === 9) && blankAt(text, pos)) {
      // A line of blanks (CRLF input, a paste's spaces): a Blank token, unless `stack unavailable`
      // (tried first for a space or TAB) would take it, which blankAt rules out.
      const e = next(text, lineEnd(text, pos));
      b.blank(text.substring(pos, e));
      pos = e;
    } else {
      const q = nextHeaderLine(text, pos);
      parseWithGrammar(pos === 0 && q === n ? text : text.substring(pos, q), b);
      pos = q;
    }
  }
}

/** Whether the line at `pos` is only blanks (the Blank token's match; `stack unavailable` is not). */
function blankAt(text: string, pos: number): boolean {
  return isBlankLine(text, pos, lineEnd(text, pos));
}

/** Start of the first header line after the line at `pos`, or the text's length. */
function nextHeaderLine(text: string, pos: number): number {
  let from = pos;
  for (;;) {
    const i = text.indexOf("\ngoroutine ", from);
    if (i === -1) return text.length;
    if (isHeaderAt(text, i + 1, lineEnd(text, i + 1))) return i + 1;
    from = i + 1;
  }
}

/**
 * The goroutine block whose header line starts at `pos` and ends at `le` (the grammar's `block` rule
 * without ancestors): returns where the block ends, at the first token that neither the body nor
 * `created by` takes. Which token starts at a line follows the lexer: the candidates for the line's
 * first character, in ALL_TOKENS order. A body that repeats one read before is read at once by the
 * first frameRun (`b.predicted`), `created by` included.
 */
function block(text: string, pos: number, le: number, b: ModelBuilder): number {
  fastPathStats.blocks++;
  let p = next(text, le);
  b.startGoroutineAt(text, pos, le);
  const n = text.length;
  while (p < n) {
    const c = text.charCodeAt(p);
    let e = -1;
    if (c === 103 /* g */) {
      if (isHeaderAt(text, p, lineEnd(text, p))) break;
      e = unavailableEnd(text, p);
      if (e !== -1) {
        b.unavailable();
        p = e;
        continue;
      }
    } else if (c === 99 /* c */) {
      // A `created by` read before but for its parent id is taken at once (ModelBuilder.knownCreatedByAt).
      e = b.knownCreatedByAt(text, p);
      if (e !== -1) {
        fastPathStats.knownCreatedBy++;
        p = e;
        break;
      }
      e = createdByEnd(text, p);
      if (e !== -1) {
        b.createdByAt(text, p, e);
        p = e;
        break;
      }
    } else if (c === 46 /* . */) {
      e = elisionEnd(text, p);
      if (e !== -1) {
        b.elision(text.substring(p, e));
        p = e;
        continue;
      }
    } else if (c === 9 || c === 32) {
      // TAB or space: `stack unavailable`, else a blank or other line, which ends the block.
      e = unavailableEnd(text, p);
      if (e === -1) break;
      b.unavailable();
      p = e;
      continue;
    } else if (c === 10 || c === 13) break;
    e = b.frameRun(text, p);
    if (e === -1) break;
    p = e;
    // The whole body, `created by` included, was read at once (ModelBuilder.frameRun).
    if (b.predicted) {
      fastPathStats.predicted++;
      break;
    }
  }
  b.endGoroutine();
  return p;
}
