// Assembles the model from the grammar's embedded actions; keeps its state across chunks of one stream.
import type {
  Ancestor,
  CreatedBy,
  Diagnostic,
  DiagnosticSeverity,
  DumpFormat,
  Elision,
  Frame,
  Goroutine,
  Preamble,
  Register,
} from "@gosleuth/model";
import type { BodyPrediction } from "./body-prediction.ts";
import { CreatedByMemo } from "./created-by-memo.ts";
import { creator, FrameTable } from "./frame.ts";
import { unsliced } from "./function-name.ts";
import { type HeaderFields, HeaderTable } from "./header.ts";
import { pairEnd } from "./line-matchers.ts";
import { DUMP_START, EXIT_STATUS, LossyLines, PARTIAL_BLOCK_LINE, REGISTER } from "./lossy-lines.ts";
import { classifyPreamble } from "./preamble.ts";
import { classifyState } from "./state.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const MAX_DIAGNOSTICS = 10_000;
const EMPTY: readonly never[] = Object.freeze([]);

function rawLine(image: string): string {
  let e = image.length;
  if (e > 0 && image.charCodeAt(e - 1) === 10) e--;
  return e === image.length ? image : image.slice(0, e);
}

/**
 * Appends the interned Frame of every pair in a run to `target`; returns the number of pairs. A pair
 * identical to the previous one (recursion) is recognised by a native compare, without a lookup.
 * `b` hears of function lines that are no Go call (at input line `line` + 2 per pair before it).
 */
function pushPairs(run: string, target: Frame[], b: ModelBuilder, line: number): number {
  const table = b.frameTable;
  let n = 0;
  let pos = 0;
  let prevKey = "";
  let prev: Frame | undefined;
  while (pos < run.length) {
    // A key ends with its '\n', so a key found at `pos` is the whole pair: no line search needed.
    // (`===` between two slices of the input is a call into V8's runtime, not the inline compare;
    // frameRun, the fast path's version of this loop, checks the closing newline first.)
    if (prev !== undefined && run.substring(pos, pos + prevKey.length) === prevKey) {
      target.push(prev);
      n++;
      pos += prevKey.length;
      continue;
    }
    const e1 = run.indexOf("\n", pos);
    let e2 = e1 === -1 ? run.length : run.indexOf("\n", e1 + 1);
    e2 = e2 === -1 ? run.length : e2 + 1;
    prevKey = run.substring(pos, e2);
    prev = table.frame(prevKey);
    if ((prev as { bare?: boolean }).bare === true) b.bareFrame(prev, line + 2 * n, prevKey);
    target.push(prev);
    n++;
    pos = e2;
  }
  return n;
}

/** Pairs compared at once when a pair repeats (recursion): most recursive runs are tens of pairs. */
const REPEAT_BLOCK = 8;

interface Building {
  g: Mutable<Goroutine>;
  frames: Frame[];
  elided: Elision[];
  ancestors: Mutable<Ancestor>[];
  anc: { frames: Frame[]; a: Mutable<Ancestor> } | undefined;
}

export class ModelBuilder {
  /** This session's interned frames and header tails (never shared with another session). */
  readonly frameTable = new FrameTable();
  readonly headerTable = new HeaderTable();
  /** The goroutine bodies remembered by their first frame, predicted and watched (see frameRun). */
  private readonly bodies: BodyPrediction = this.frameTable.bodies;
  /** `created by` tokens read before, but for the parent id (see knownCreatedByAt). */
  private readonly createdBys = new CreatedByMemo();
  /** Line number of the next token. */
  line = 1;
  /** Completed goroutines not yet handed out. */
  out: Goroutine[] = [];
  diagnostics: Diagnostic[] = [];
  droppedDiagnostics = 0;
  preambleLines: string[] = [];
  /**
   * Whether every line outside goroutine blocks (preamble, lines between blocks, trailer) is kept as
   * read, for formatDump to print back. When false (commands that only read what those lines say),
   * a line that can only ever give a diagnostic, such as a log's own lines around a dump, is kept for
   * the first MAX_DIAGNOSTICS such lines and is OMITTED_LINE after them: any diagnostic it gives
   * comes after MAX_DIAGNOSTICS others and is not listed, and it changes nothing else read from the
   * lines (crash, races, registers, formats, counts, line numbers). A 186 MB log around a dump kept
   * its 1,000,000 lines (~200 MB) otherwise.
   */
  lossless = true;
  /** What a builder that is not lossless keeps of the lines outside blocks. */
  private readonly lossy = new LossyLines(MAX_DIAGNOSTICS);
  /** Lines kept as OMITTED_LINE. */
  get omittedLines(): number {
    return this.lossy.omitted;
  }
  runtimeStack: Frame[] = [];
  registers: Register[] = [];
  dumpIndex = 0;
  goroutineCount = 0;
  private pending: string[] = [];
  private pendingLine = 1;
  private seenBlock = false;
  private inRuntimeStack = false;
  private cur: Building | null = null;
  private readonly building: Building = {
    g: undefined as unknown as Mutable<Goroutine>,
    frames: [],
    elided: [],
    ancestors: [],
    anc: undefined,
  };

  diag(severity: DiagnosticSeverity, line: number, message: string, text: string): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) {
      this.droppedDiagnostics++;
      return;
    }
    this.diagnostics.push({ severity, line, message: `@gosleuth/parser: line ${line}: ${message}`, text });
  }

  /** Diagnostics given so far, kept or dropped (a change means a diagnostic came on the way). */
  private get diagnosticCount(): number {
    return this.diagnostics.length + this.droppedDiagnostics;
  }

  /**
   * A function line without `(args)`: a C function of a cgo traceback is printed so, but one with
   * parentheses in the wrong places (`main.main)(`) is damaged text. The frame is kept either way.
   */
  bareFrame(f: Frame, line: number, pair: string): void {
    const fn = f.fn.full;
    if (fn.indexOf("(") === -1 && fn.indexOf(")") === -1) return;
    const nl = pair.indexOf("\n");
    this.diag(
      "warning",
      line,
      "function line is not a Go call `name(args)` (kept as the frame's function)",
      nl === -1 ? pair : pair.slice(0, nl),
    );
  }

  // ---- top-level tokens -------------------------------------------------

  /**
   * A line outside any goroutine, kept as a copy of its own (unsliced): as a slice it would keep the
   * whole piece it was read from alive, and a log around a dump is all such lines (a 176 MB log kept
   * its pieces and then copied every line at the end: 576 MB for `summary`).
   */
  private push(l: string): void {
    if (this.soleBlank) this.keepSoleBlank();
    else if (this.pending.length === 0) this.pendingLine = this.line;
    this.pending.push(this.lossless ? unsliced(l) : this.lossy.copy(l));
    this.line++;
  }

  /**
   * Whether the lines gathered since the last block are one empty line (the separator between two
   * blocks), not yet in `pending`: that array is then left as it is, not pushed to and replaced for
   * every goroutine.
   */
  private soleBlank = false;

  /** Puts the sole empty line into `pending`, where the lines after it go. */
  private keepSoleBlank(): void {
    this.soleBlank = false;
    this.pending.push("");
  }

  blank(image: string): void {
    this.inRuntimeStack = false;
    if (
      !this.soleBlank &&
      this.pending.length === 0 &&
      (image.length === 0 || (image.length === 1 && image.charCodeAt(0) === 10))
    ) {
      this.soleBlank = true;
      this.lossy.blank();
      this.pendingLine = this.line;
      this.line++;
      return;
    }
    this.push(rawLine(image));
  }

  other(image: string): void {
    const l = rawLine(image);
    if (!this.seenBlock && l.trimEnd() === "runtime stack:") this.inRuntimeStack = true;
    this.push(l);
  }

  /** Frame pairs outside any goroutine: a `runtime stack:` section, or stray. */
  strayFrame(image: string): void {
    const frames: Frame[] = [];
    pushPairs(image, frames, this, this.line);
    if (this.inRuntimeStack) for (const f of frames) this.runtimeStack.push(f);
    else {
      if (!this.seenBlock) this.framesBeforeFirstBlock = true;
      this.diag(
        "warning",
        this.line,
        "stack frames outside any goroutine (kept as raw text)",
        rawLine(image),
      );
    }
    for (const l of rawLine(image).split("\n")) this.push(l);
  }

  /** `created by`, an elision marker or an ancestor header outside any goroutine. */
  strayLines(image: string, what: string): void {
    const lines = rawLine(image).split("\n");
    this.diag("warning", this.line, `${what} outside any goroutine (kept as raw text)`, lines.join("\n"));
    for (const l of lines) this.push(l);
  }

  // ---- goroutine blocks -------------------------------------------------

  /** A goroutine header line as a token's image (the grammar's path). */
  startGoroutine(image: string): void {
    this.flushPendingBeforeBlock();
    const table = this.headerTable;
    const h = table.parse(image);
    const start = this.line;
    if (h.glued !== undefined) {
      this.diag("info", start, "goroutine header glued to preceding text", rawLine(image));
    }
    if (h.problem !== undefined) this.diag("warning", start, h.problem, rawLine(image));
    this.begin(h, h.glued === undefined ? undefined : unsliced(h.glued));
  }

  /**
   * The same for the header line that starts at `s` in `text` and ends at `e` (its newline or the
   * text's end), where `isHeaderAt` found one (the fast path): the line is cut out only for a
   * diagnostic. Such a line starts with `goroutine `, so it is never glued.
   */
  startGoroutineAt(text: string, s: number, e: number): void {
    this.flushPendingBeforeBlock();
    const h = this.headerTable.parseAt(text, s, e);
    if (h.problem !== undefined) this.diag("warning", this.line, h.problem, text.substring(s, e));
    this.begin(h, undefined);
  }

  /** The goroutine of header `h` (the table's last parse), being built from here on. */
  private begin(h: Readonly<HeaderFields>, glued: string | undefined): void {
    const table = this.headerTable;
    const tail = table.shared;
    this.head = tail;
    const start = this.line;
    // Every goroutine gets the same fields in the same order (one hidden class for V8); empty
    // frame, elision and ancestor lists share one frozen array until something is added (most
    // goroutines of a large dump take a remembered body's frames array: see takeBody).
    const g: Mutable<Goroutine> & { glued?: string } = {
      kind: "goroutine",
      id: table.id,
      idText: table.idText,
      state: h.state,
      stateClass: tail === undefined ? classifyState(h.state) : tail.stateClass,
      waitMinutes: h.waitMinutes,
      lockedToThread: h.lockedToThread,
      leaked: h.leaked,
      scan: h.scan,
      durable: h.durable,
      synctest: h.synctest,
      labels: h.labels,
      labelsRaw: h.labelsRaw,
      gp: h.gp,
      m: h.m,
      mp: h.mp,
      extraState: h.extraState,
      frames: EMPTY,
      elided: EMPTY,
      stackUnavailable: false,
      createdBy: undefined,
      ancestors: EMPTY,
      lines: { start, end: start },
      leading: this.leading,
      dumpIndex: this.dumpIndex,
      glued,
    };
    this.leading = undefined;
    // One Building object serves every goroutine of the session (only one is built at a time).
    const c = this.building;
    c.g = g;
    c.frames = EMPTY as unknown as Frame[];
    c.elided = EMPTY as unknown as Elision[];
    c.ancestors = EMPTY as unknown as Mutable<Ancestor>[];
    c.anc = undefined;
    this.cur = c;
    this.line++;
  }

  private leading: string[] | undefined;
  /** Whether goroutine 1 (main) was seen: every all-goroutine dump of a live process has it. */
  sawMainGoroutine = false;
  /** Frames (outside a `runtime stack:` section) before the first goroutine: the input starts inside one. */
  framesBeforeFirstBlock = false;
  /** Whether a goroutine so far had `created by` (hand-written and filtered dumps often have none). */
  sawCreatedBy = false;
  /** Whether a goroutine before the last one had `created by`. */
  creatorsBeforeLastBlock = false;
  /** Why the last goroutine so far looks cut off at its end, if it does (see blockCut). */
  lastBlockCut: string | undefined;
  /** Why the text after the last goroutine looks like the start of one cut off, if it does. */
  trailerCut: string | undefined;

  /** A run of frame pairs. */
  frame(image: string): void {
    const c = this.cur!;
    const target = c.anc ? c.anc.frames : c.frames === (EMPTY as unknown) ? (c.frames = []) : c.frames;
    this.line += 2 * pushPairs(image, target, this, this.line);
  }

  /** The header tail entry of the goroutine being built, when it is the table's shared one. */
  private head: object | undefined;

  /**
   * Set when frameRun read the goroutine's whole body at once, `created by` included (the fast path's
   * block then ends); cleared by endGoroutine.
   */
  predicted = false;
  // The last frame seen repeating and its pair's text REPEAT_BLOCK times over (see frameRun).
  private repeatFrame: Frame | undefined;
  private repeatText = "";

  /** `key` (the pair of `f`) REPEAT_BLOCK times over, kept for the frame that last repeated. */
  private repeatBlock(f: Frame, key: string): string {
    // Frames are interned by text, so the same frame means the same text; an uncached run's frames
    // are new objects, and then the block is only made again.
    if (this.repeatFrame !== f || this.repeatText.length !== key.length * REPEAT_BLOCK) {
      this.repeatFrame = f;
      this.repeatText = key.repeat(REPEAT_BLOCK);
    }
    return this.repeatText;
  }

  /**
   * The run of frame pairs that starts at `start` in `text`, read where it lies: the FramePair token
   * the lexer would make there, and the frames `frame` would push for it (the same table lookups, the
   * same recursion shortcut), without the token's string. Returns the run's end, or -1 when no pair
   * starts at `start`.
   */
  frameRun(text: string, start: number): number {
    const c = this.cur!;
    let target = c.anc ? c.anc.frames : c.frames;
    const table = this.frameTable;
    const line = this.line;
    // A goroutine's first pair is first tried against the one that came first after the same header
    // tail last time (a remembered key is a whole pair, so it ends where pairEnd would).
    const atStart = target.length === 0 && c.anc === undefined;
    const head = atStart ? this.head : undefined;
    const diagnostics = this.diagnosticCount;
    const misses = table.missCount;
    table.startRun(head);
    const f0 = head === undefined ? undefined : table.firstAfter(head, text, start);
    let pos: number;
    let key: string;
    let prev: Frame;
    // Whether `prev` was seen for the first time just now (FrameTable.firstSight). What follows such a
    // frame is not remembered (the pair after it, the goroutine's body, the first pair after the header
    // tail): a frame may never come again (arguments that differ in every goroutine: 27,119 of the 216k
    // bench dump's 44,801 distinct function lines appear once), and every remembered text is a copy
    // that outlives young-generation GCs. A frame seen again is remembered from its second sight on.
    let fresh = false;
    let q: number;
    if (f0 !== undefined) {
      key = f0.key;
      prev = f0.frame;
      pos = start + key.length;
    } else if (table.uncached && (q = table.pairAt(text, start)) !== -1) {
      key = text.substring(start, q);
      prev = table.predictedFrame!;
      pos = q;
    } else {
      pos = pairEnd(text, start);
      if (pos === -1) return -1;
      key = text.substring(start, pos);
      prev = table.frame(key);
      fresh = table.firstSight;
      if (head !== undefined && !fresh) table.rememberFirst(head, key, prev);
    }
    if ((prev as { bare?: boolean }).bare === true) this.bareFrame(prev, line, key);
    // A goroutine's first pair (nothing before it in its body): its whole body may be the one that
    // followed this frame last time. Tried before the pair is pushed: on a hit the goroutine takes
    // the body's frames array and never gets one of its own.
    if (atStart && !fresh && c.elided === (EMPTY as unknown) && !c.g.stackUnavailable) {
      const bodies = this.bodies;
      const e = bodies.predict(prev, text, pos);
      if (e !== -1) {
        this.takeBody(line);
        return e;
      }
      if (this.diagnosticCount === diagnostics) bodies.watch(prev, pos, line, diagnostics, misses);
    }
    if (target === (EMPTY as unknown)) target = c.frames = [];
    target.push(prev);
    let n = 1;
    // Reads past the text's end are ruled out before they are made: optimised code that met one was
    // thrown away (twice in the first 300 ms of the 216k bench dump, `--trace-deopt`).
    const end = text.length;
    for (;;) {
      // A pair equal to the previous one (recursion) is a pair the lexer takes too: same lines. The
      // compare of two slices is a call into V8's runtime; the newline the pair must end with rules
      // out most other pairs first.
      const l = key.length;
      if (pos + l <= end && text.charCodeAt(pos + l - 1) === 10 && text.substring(pos, pos + l) === key) {
        target.push(prev);
        n++;
        pos += l;
        // A recursion repeats its pair dozens of times: compare REPEAT_BLOCK copies at once (one
        // native compare of the block instead of one call a pair), then go on pair by pair.
        const block = this.repeatBlock(prev, key);
        const bl = block.length;
        while (
          pos + bl <= end &&
          text.charCodeAt(pos + bl - 1) === 10 &&
          text.substring(pos, pos + bl) === block
        ) {
          for (let k = 0; k < REPEAT_BLOCK; k++) target.push(prev);
          n += REPEAT_BLOCK;
          pos += bl;
        }
        continue;
      }
      const s = table.following(prev, text, pos);
      if (s !== undefined) {
        key = s.key;
        prev = s.frame;
        pos += key.length;
        fresh = false;
      } else if (table.uncached && (q = table.pairAt(text, pos)) !== -1) {
        // Arguments that differ in every goroutine: the pair's skeleton followed the last one's before.
        key = text.substring(pos, q);
        prev = table.predictedFrame!;
        pos = q;
        fresh = false;
      } else {
        const e = pairEnd(text, pos);
        if (e === -1) break;
        const k = text.substring(pos, e);
        const f = table.frame(k);
        if (!fresh) table.remember(prev, k, f);
        fresh = table.firstSight;
        key = k;
        prev = f;
        pos = e;
      }
      if ((prev as { bare?: boolean }).bare === true) this.bareFrame(prev, line + 2 * n, key);
      target.push(prev);
      n++;
    }
    this.line += 2 * n;
    return pos;
  }

  /**
   * Gives the goroutine being built the body `bodies.predict` just found after its first pair (read at
   * input line `line`): what the pair-by-pair path would have given it (the same frames and elisions,
   * a fresh CreatedBy with the parent id read, the same line count and frame table counts).
   *
   * The frames and elision arrays are the body's own, shared by every goroutine that repeats it (and
   * by the goroutine it was read from): nothing writes them once the body is remembered. The block
   * ends here (parser.ts `block`), so the builder pushes nothing more to this goroutine; the model's
   * arrays are readonly to every consumer (GOSLEUTH_FREEZE_SHARED=1 freezes the shared ones: see
   * BodyPrediction's freezeShared and apps/cli/test/shared-frames.test.ts).
   */
  private takeBody(line: number): void {
    const p = this.bodies;
    const b = p.body!;
    const c = this.cur!;
    c.frames = b.frames as Frame[];
    c.elided = b.elided as Elision[];
    const t = b.createdBy;
    c.g.createdBy = creator(t.fn, t.file, t.line, p.parentId, t.offset, t.indent);
    this.frameTable.countHits(b.lookups);
    this.line = line + 2 + b.lines;
    this.predicted = true;
  }

  /**
   * The fast path's `created by` token, [p, e) in `text`: `createdBy`, then the goroutine's body is
   * remembered for the next goroutine that starts with the same pair when it is one to predict (see
   * BodyPrediction.remember).
   */
  createdByAt(text: string, p: number, e: number): void {
    const image = text.substring(p, e);
    this.createdBy(image);
    const c = this.cur!;
    this.createdBys.remember(image, c.anc ? c.anc.a.createdBy! : c.g.createdBy!);
    this.rememberBody(text, p, e);
  }

  /**
   * The fast path's `created by` token at `p` in `text` when it is one read before but for its parent id
   * (CreatedByMemo): what createdByAt does with it, without finding its end or parsing it. Returns its
   * end, or -1 (nothing done: it is another token, or one not remembered).
   */
  knownCreatedByAt(text: string, p: number): number {
    const memo = this.createdBys;
    const e = memo.match(text, p);
    if (e === -1) return -1;
    const t = memo.hit!;
    const cb = creator(t.fn, t.file, t.line, memo.parentId, t.offset, t.indent);
    const c = this.cur!;
    if (c.anc) c.anc.a.createdBy = cb;
    else c.g.createdBy = cb;
    // A remembered token has its file line: two lines, as `createdBy` counts them.
    this.line += 2;
    this.rememberBody(text, p, e);
    return e;
  }

  /** After the `created by` token [p, e): the goroutine's body may be remembered (BodyPrediction.remember). */
  private rememberBody(text: string, p: number, e: number): void {
    const c = this.cur!;
    const g = c.g;
    this.bodies.remember(
      text,
      p,
      e,
      c.frames,
      c.elided,
      g.createdBy!,
      g.stackUnavailable,
      this.line,
      this.diagnosticCount,
    );
  }

  elision(image: string): void {
    const c = this.cur!;
    const l = rawLine(image).trimEnd();
    const m = /^\.\.\.(\d+) frames elided\.\.\.$/.exec(l);
    if (c.anc) c.anc.a.elided = true;
    else {
      if (c.elided === (EMPTY as unknown)) c.elided = [];
      c.elided.push({ index: c.frames.length, count: m ? Number(m[1]) : null });
    }
    if (!m && l !== "...additional frames elided...")
      this.diag("info", this.line, "unusual elision marker", l);
    this.line++;
  }

  unavailable(): void {
    this.cur!.g.stackUnavailable = true;
    this.line++;
  }

  createdBy(image: string): void {
    const c = this.cur!;
    const cb: CreatedBy = this.frameTable.createdBy(image);
    if (c.anc) c.anc.a.createdBy = cb;
    else c.g.createdBy = cb;
    if (cb.file === "") this.diag("warning", this.line, "`created by` without its file line", rawLine(image));
    this.line += image.indexOf("\n") !== -1 && image.indexOf("\n") < image.length - 1 ? 2 : 1;
  }

  ancestor(image: string): void {
    const c = this.cur!;
    const m = /^\[originating from goroutine (\d+)\]:/.exec(image);
    const frames: Frame[] = [];
    const a: Mutable<Ancestor> = { id: m ? Number(m[1]) : 0, frames, elided: false };
    if (c.ancestors === (EMPTY as unknown)) c.ancestors = [];
    c.ancestors.push(a);
    c.anc = { frames, a };
    this.line++;
  }

  endGoroutine(): void {
    const c = this.cur!;
    const g = c.g;
    g.frames = c.frames;
    g.elided = c.elided;
    g.ancestors = c.ancestors;
    (g.lines as { end: number }).end = this.line - 1;
    if (c.frames.length === 0 && !g.stackUnavailable) {
      this.diag("info", g.lines.start, `goroutine ${g.idText ?? g.id} has no frames`, "");
    }
    if (g.id === 1 && g.idText === undefined) this.sawMainGoroutine = true;
    this.lastBlockCut = blockCut(g);
    this.creatorsBeforeLastBlock = this.sawCreatedBy;
    if (g.createdBy !== undefined) this.sawCreatedBy = true;
    this.out.push(g);
    this.goroutineCount++;
    c.g = undefined as unknown as Mutable<Goroutine>;
    c.anc = undefined;
    this.cur = null;
    this.seenBlock = true;
    this.predicted = false;
    this.bodies.stop();
  }

  /** Decides what the lines gathered since the last block are: preamble, or lines between blocks. */
  private flushPendingBeforeBlock(): void {
    if (this.soleBlank) {
      this.soleBlank = false;
      if (!this.seenBlock) this.preambleLines.push("");
      return;
    }
    const p = this.pending;
    if (!this.seenBlock) {
      for (const l of p) this.preambleLines.push(l);
    } else if (!(p.length === 1 && p[0]!.trim() === "")) {
      this.leading = p;
      for (let i = 0; i < p.length; i++) {
        const l = p[i]!;
        const ln = this.pendingLine + i;
        if (l.trim() === "" || l.trimEnd() === "-----" || REGISTER.test(l)) continue;
        if (DUMP_START.test(l)) {
          this.dumpIndex++;
          this.diag("info", ln, "another dump starts here", l);
        } else this.diag("warning", ln, "unrecognised line between goroutines (kept as raw text)", l);
      }
    }
    this.pending = [];
  }

  // ---- end of input -----------------------------------------------------

  /** The lines after the last block (or every line when there was no block). */
  finishTrailer(): string[] {
    if (this.soleBlank) this.keepSoleBlank();
    if (!this.seenBlock) {
      for (const l of this.pending) this.preambleLines.push(l);
      this.pending = [];
      return [];
    }
    const t = this.pending;
    const first = t.find((l) => l.trim() !== "");
    if (first !== undefined && PARTIAL_BLOCK_LINE.test(first)) {
      this.trailerCut = `the input ends inside a goroutine block: ${JSON.stringify(first.trimEnd().slice(0, 80))}`;
    }
    for (let i = 0; i < t.length; i++) {
      const l = t[i]!;
      const m = REGISTER.exec(l);
      if (m) this.registers.push({ name: m[1]!, value: m[2]! });
      else if (l.trim() !== "" && l.trimEnd() !== "-----" && !EXIT_STATUS.test(l.trimEnd())) {
        this.diag("info", this.pendingLine + i, "text after the last goroutine (kept as raw text)", l);
      }
    }
    this.pending = [];
    return t;
  }

  /** Classifies the preamble's raw lines into panics, fatal errors, signal lines, runtime lines. */
  preamble(): { preamble: Preamble; format: DumpFormat } {
    return classifyPreamble(this.preambleLines, this.goroutineCount, (s, l, m, t) => this.diag(s, l, m, t));
  }
}

/** Marks a blockCut reason that is a missing `created by` (removed before it is shown). */
export const NO_CREATOR = "\u0000";

/** Functions a goroutine without `created by` starts in: the main goroutine and the runtime's own. */
const ROOT_START =
  /^(main\.main|runtime\.main|runtime\.goexit|runtime\.mstart.*|runtime\.rt0_go|runtime\.morestack|runtime\.mcall|runtime\.systemstack|runtime\.cgocallback.*|crosscall2|_cgoexp_.*)$/;

/**
 * Why a goroutine block looks cut off at its end (the input stopped inside it), or undefined: every
 * goroutine but the runtime's roots ends with `created by` and its file line. A reason that starts
 * with NO_CREATOR counts only in a dump whose earlier goroutines had theirs (hand-written and
 * filtered dumps often have none).
 */
export function blockCut(g: Goroutine): string | undefined {
  // The name is made only for a reason returned: most goroutines end with their `created by`.
  const c = g.createdBy;
  if (c !== undefined)
    return c.file === ""
      ? `goroutine ${g.idText ?? g.id} ends at \`created by\` without its file line`
      : undefined;
  if (g.stackUnavailable || g.id <= 1) return undefined;
  if (g.frames.length === 0) return `${NO_CREATOR}goroutine ${g.idText ?? g.id} ends at its header`;
  if (g.ancestors.length > 0) return undefined;
  const outer = g.frames[g.frames.length - 1]!.fn.full;
  return ROOT_START.test(outer)
    ? undefined
    : `${NO_CREATOR}goroutine ${g.idText ?? g.id} ends at ${outer} without \`created by\``;
}
