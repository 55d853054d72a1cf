// The dump grammar: one Chevrotain lexer and one reused embedded-actions parser, total over any token sequence.
// parser.ts hands it what its fast path does not read; the CLI loads this module only then (apps/cli/build.mjs).
import { EmbeddedActionsParser, type IOrAlt, type IToken, Lexer } from "chevrotain";
import type { ModelBuilder } from "./builder.ts";
import {
  ALL_TOKENS,
  AncestorHeader,
  Blank,
  CreatedBy,
  Elision,
  FramePair,
  GluedHeader,
  Header,
  Other,
  Unavailable,
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

/** Lexes and parses text with the Chevrotain lexer and grammar. */
export function parseWithGrammar(text: string, b: ModelBuilder): void {
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
