// The dump grammar: one Chevrotain lexer and one reused embedded-actions parser, total over any token sequence.
import { EmbeddedActionsParser, type IOrAlt, type IToken, Lexer } from "chevrotain";
import type { ModelBuilder } from "./builder.ts";
import {
  ALL_TOKENS,
  AncestorHeader,
  Blank,
  CreatedBy,
  createdByEnd,
  Elision,
  elisionEnd,
  FramePair,
  GluedHeader,
  Header,
  isBlankLine,
  isHeaderAt,
  lineEnd,
  next,
  Other,
  Unavailable,
  unavailableEnd,
} from "./tokens.ts";

/**
 * dump     := ( block | FramePair | CreatedBy | Elision | AncestorHeader | Unavailable | Blank | Other )*
 * block    := (Header | GluedHeader) ( FramePair | Elision | Unavailable )* CreatedBy? ancestor*
 * ancestor := AncestorHeader FramePair* Elision? CreatedBy?
 * Every token sequence is accepted: what a block cannot take ends it and lands at the top level,
 * where the builder keeps it raw (preamble, lines between blocks, trailer) with a diagnostic.
 *
 * Speed: the rules run once per goroutine, so every closure and alternatives array they use is made
 * once, in the constructor (Chevrotain's "cache arrays of alternatives" advice); an action reads the
 * token just consumed from `this.t` instead of capturing it in a fresh closure.
 */
class DumpGrammar extends EmbeddedActionsParser {
  b!: ModelBuilder;
  /** The token the next action works on. */
  private t!: IToken;

  // Actions (made once; each runs through `ACTION`, so never during Chevrotain's recording phase).
  private readonly onStrayFrame = () => this.b.strayFrame(this.t.image);
  private readonly onStrayCreatedBy = () => this.b.strayLines(this.t.image, "`created by`");
  private readonly onStrayElision = () => this.b.strayLines(this.t.image, "an elision marker");
  private readonly onStrayAncestor = () => this.b.strayLines(this.t.image, "an ancestor header");
  private readonly onStrayUnavailable = () => this.b.strayLines(this.t.image, "`stack unavailable`");
  private readonly onBlank = () => this.b.blank(this.t.image);
  private readonly onOther = () => this.b.other(this.t.image);
  private readonly onStart = () => this.b.startGoroutine(this.t.image);
  private readonly onFrame = () => this.b.frame(this.t.image);
  private readonly onElision = () => this.b.elision(this.t.image);
  private readonly onUnavailable = () => this.b.unavailable();
  private readonly onCreatedBy = () => this.b.createdBy(this.t.image);
  private readonly onEnd = () => this.b.endGoroutine();
  private readonly onAncestor = () => this.b.ancestor(this.t.image);

  private readonly topAlts: IOrAlt<void>[] = [
    { ALT: () => this.SUBRULE(this.block) },
    { ALT: () => this.act(this.CONSUME(FramePair), this.onStrayFrame) },
    { ALT: () => this.act(this.CONSUME(CreatedBy), this.onStrayCreatedBy) },
    { ALT: () => this.act(this.CONSUME(Elision), this.onStrayElision) },
    { ALT: () => this.act(this.CONSUME(AncestorHeader), this.onStrayAncestor) },
    { ALT: () => this.act(this.CONSUME(Unavailable), this.onStrayUnavailable) },
    { ALT: () => this.act(this.CONSUME(Blank), this.onBlank) },
    { ALT: () => this.act(this.CONSUME(Other), this.onOther) },
  ];
  private readonly headerAlts: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(Header) },
    { ALT: () => this.CONSUME(GluedHeader) },
  ];
  private readonly bodyAlts: IOrAlt<void>[] = [
    { ALT: () => this.act(this.CONSUME2(FramePair), this.onFrame) },
    { ALT: () => this.act(this.CONSUME2(Elision), this.onElision) },
    { ALT: () => this.act(this.CONSUME2(Unavailable), this.onUnavailable) },
  ];
  private readonly topItem = () => this.OR(this.topAlts);
  private readonly bodyItem = () => this.OR3(this.bodyAlts);
  private readonly blockCreatedBy = () => this.act(this.CONSUME2(CreatedBy), this.onCreatedBy);
  private readonly blockAncestor = () => this.SUBRULE(this.ancestor);
  private readonly ancestorFrame = () => this.act(this.CONSUME3(FramePair), this.onFrame);
  private readonly ancestorElision = () => this.act(this.CONSUME3(Elision), this.onElision);
  private readonly ancestorCreatedBy = () => this.act(this.CONSUME3(CreatedBy), this.onCreatedBy);

  constructor() {
    super(ALL_TOKENS, { maxLookahead: 1, recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  private act(t: IToken, action: () => void): void {
    this.t = t;
    this.ACTION(action);
  }

  public dump = this.RULE("dump", () => {
    this.MANY(this.topItem);
  });

  private block = this.RULE("block", () => {
    this.act(this.OR2(this.headerAlts), this.onStart);
    this.MANY2(this.bodyItem);
    this.OPTION(this.blockCreatedBy);
    this.MANY3(this.blockAncestor);
    this.ACTION(this.onEnd);
  });

  private ancestor = this.RULE("ancestor", () => {
    this.act(this.CONSUME2(AncestorHeader), this.onAncestor);
    this.MANY4(this.ancestorFrame);
    this.OPTION2(this.ancestorElision);
    this.OPTION3(this.ancestorCreatedBy);
  });
}

let lexer: Lexer | undefined;
let grammar: DumpGrammar | undefined;
let grammarOnly = false;
/** How many blocks the fast path read (tests check that it ran). */
export const fastPathStats = { blocks: 0 };

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
 * first character, in ALL_TOKENS order.
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
      e = createdByEnd(text, p);
      if (e !== -1) {
        b.createdBy(text.substring(p, e));
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
  }
  b.endGoroutine();
  return p;
}

/** Lexes and parses text with the Chevrotain lexer and grammar. */
function parseWithGrammar(text: string, b: ModelBuilder): void {
  lexer ??= new Lexer(ALL_TOKENS, {
    positionTracking: "onlyOffset",
    ensureOptimizations: true,
    skipValidations: true,
  });
  grammar ??= new DumpGrammar();
  const lexed = lexer.tokenize(text);
  for (const e of lexed.errors) {
    // The catch-all `Other` token makes lexing total; this only guards against a future token bug.
    b.diag("error", b.line, `lexer: ${e.message}`, text.slice(e.offset, e.offset + e.length));
  }
  grammar.b = b;
  grammar.input = lexed.tokens;
  grammar.dump();
  for (const e of grammar.errors) {
    b.diag("error", b.line, `grammar: ${e.message}`, e.token.image ?? "");
  }
}
