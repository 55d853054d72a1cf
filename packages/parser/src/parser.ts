// The dump grammar: one Chevrotain lexer and one reused embedded-actions parser, total over any token sequence.
import { EmbeddedActionsParser, Lexer } from "chevrotain";
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
 */
class DumpGrammar extends EmbeddedActionsParser {
  b!: ModelBuilder;

  constructor() {
    super(ALL_TOKENS, { maxLookahead: 1, recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  public dump = this.RULE("dump", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.block) },
        {
          ALT: () => {
            const t = this.CONSUME(FramePair);
            this.ACTION(() => this.b.strayFrame(t.image));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(CreatedBy);
            this.ACTION(() => this.b.strayLines(t.image, "`created by`"));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Elision);
            this.ACTION(() => this.b.strayLines(t.image, "an elision marker"));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(AncestorHeader);
            this.ACTION(() => this.b.strayLines(t.image, "an ancestor header"));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Unavailable);
            this.ACTION(() => this.b.strayLines(t.image, "`stack unavailable`"));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Blank);
            this.ACTION(() => this.b.blank(t.image));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Other);
            this.ACTION(() => this.b.other(t.image));
          },
        },
      ]);
    });
  });

  private block = this.RULE("block", () => {
    const h = this.OR2([{ ALT: () => this.CONSUME(Header) }, { ALT: () => this.CONSUME(GluedHeader) }]);
    this.ACTION(() => this.b.startGoroutine(h.image));
    this.MANY2(() => {
      this.OR3([
        {
          ALT: () => {
            const t = this.CONSUME2(FramePair);
            this.ACTION(() => this.b.frame(t.image));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME2(Elision);
            this.ACTION(() => this.b.elision(t.image));
          },
        },
        {
          ALT: () => {
            this.CONSUME2(Unavailable);
            this.ACTION(() => this.b.unavailable());
          },
        },
      ]);
    });
    this.OPTION(() => {
      const t = this.CONSUME2(CreatedBy);
      this.ACTION(() => this.b.createdBy(t.image));
    });
    this.MANY3(() => this.SUBRULE(this.ancestor));
    this.ACTION(() => this.b.endGoroutine());
  });

  private ancestor = this.RULE("ancestor", () => {
    const t = this.CONSUME2(AncestorHeader);
    this.ACTION(() => this.b.ancestor(t.image));
    this.MANY4(() => {
      const f = this.CONSUME3(FramePair);
      this.ACTION(() => this.b.frame(f.image));
    });
    this.OPTION2(() => {
      const e = this.CONSUME3(Elision);
      this.ACTION(() => this.b.elision(e.image));
    });
    this.OPTION3(() => {
      const c = this.CONSUME3(CreatedBy);
      this.ACTION(() => this.b.createdBy(c.image));
    });
  });
}

let lexer: Lexer | undefined;
let grammar: DumpGrammar | undefined;

/** Lexes and parses one piece of text (whole goroutine blocks) into the builder. Never throws on input. */
export function parseText(text: string, b: ModelBuilder): void {
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
