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
  PanicLine,
  Preamble,
  Register,
  SignalInfo,
} from "@gosleuth/model";
import { FrameTable } from "./frame.ts";
import { flat } from "./function-name.ts";
import { HeaderTable } from "./header.ts";
import { classifyState } from "./state.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const MAX_DIAGNOSTICS = 10_000;
const EMPTY: readonly never[] = Object.freeze([]);
const REGISTER = /^([a-z][a-z0-9]*)\s+(0x[0-9a-f]+)\s*$/;
const DUMP_START =
  /^(\^\\)?(SIG[A-Z0-9]+: |Signal \d+|Exception 0x)|^panic: |^fatal error: |^\w+ profile: total \d+/;

function rawLine(image: string): string {
  let e = image.length;
  if (e > 0 && image.charCodeAt(e - 1) === 10) e--;
  return e === image.length ? image : image.slice(0, e);
}

/**
 * Appends the interned Frame of every pair in a run to `target`; returns the number of pairs. A pair
 * identical to the previous one (recursion) is recognised by a native compare, without a lookup.
 */
function pushPairs(run: string, target: Frame[], table: FrameTable): number {
  let n = 0;
  let pos = 0;
  let prevKey = "";
  let prev: Frame | undefined;
  while (pos < run.length) {
    // A key ends with its '\n', so a key found at `pos` is the whole pair: no line search needed.
    // substring + === is much faster than startsWith(key, pos) or a charCodeAt loop here, where both
    // strings are slices of the input.
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
    target.push(prev);
    n++;
    pos = e2;
  }
  return n;
}

interface Building {
  g: Mutable<Goroutine>;
  frames: Frame[];
  elided: Elision[];
  ancestors: Mutable<Ancestor>[];
  anc?: { frames: Frame[]; a: Mutable<Ancestor> };
}

export class ModelBuilder {
  /** This session's interned frames and header tails (never shared with another session). */
  readonly frameTable = new FrameTable();
  readonly headerTable = new HeaderTable();
  /** Line number of the next token. */
  line = 1;
  /** Completed goroutines not yet handed out. */
  out: Goroutine[] = [];
  diagnostics: Diagnostic[] = [];
  droppedDiagnostics = 0;
  preambleLines: string[] = [];
  runtimeStack: Frame[] = [];
  registers: Register[] = [];
  dumpIndex = 0;
  goroutineCount = 0;
  private pending: string[] = [];
  private pendingLine = 1;
  private seenBlock = false;
  private inRuntimeStack = false;
  private cur: Building | null = null;

  diag(severity: DiagnosticSeverity, line: number, message: string, text: string): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) {
      this.droppedDiagnostics++;
      return;
    }
    this.diagnostics.push({ severity, line, message: `@gosleuth/parser: line ${line}: ${message}`, text });
  }

  // ---- top-level tokens -------------------------------------------------

  private push(l: string): void {
    if (this.pending.length === 0) this.pendingLine = this.line;
    this.pending.push(l);
    this.line++;
  }

  blank(image: string): void {
    this.inRuntimeStack = false;
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
    pushPairs(image, frames, this.frameTable);
    if (this.inRuntimeStack) for (const f of frames) this.runtimeStack.push(f);
    else
      this.diag(
        "warning",
        this.line,
        "stack frames outside any goroutine (kept as raw text)",
        rawLine(image),
      );
    for (const l of rawLine(image).split("\n")) this.push(l);
  }

  /** `created by`, an elision marker or an ancestor header outside any goroutine. */
  strayLines(image: string, what: string): void {
    const lines = rawLine(image).split("\n");
    this.diag("warning", this.line, `${what} outside any goroutine (kept as raw text)`, lines.join("\n"));
    for (const l of lines) this.push(l);
  }

  // ---- goroutine blocks -------------------------------------------------

  startGoroutine(image: string): void {
    this.flushPendingBeforeBlock();
    const h = this.headerTable.parse(image);
    const start = this.line;
    if (h.glued !== undefined) {
      this.diag("info", start, "goroutine header glued to preceding text", rawLine(image));
    }
    if (h.problem !== undefined) this.diag("warning", start, h.problem, rawLine(image));
    // Every goroutine gets the same fields in the same order (one hidden class for V8); empty
    // elision and ancestor lists share one frozen array until something is added.
    const g: Mutable<Goroutine> & { glued?: string } = {
      kind: "goroutine",
      id: h.id,
      idText: h.idText,
      state: h.state,
      stateClass: classifyState(h.state),
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
      frames: [],
      elided: EMPTY,
      stackUnavailable: false,
      createdBy: undefined,
      ancestors: EMPTY,
      lines: { start, end: start },
      leading: this.leading,
      dumpIndex: this.dumpIndex,
      glued: h.glued === undefined ? undefined : flat(h.glued),
    };
    this.leading = undefined;
    this.cur = {
      g,
      frames: g.frames as Frame[],
      elided: EMPTY as unknown as Elision[],
      ancestors: EMPTY as unknown as Mutable<Ancestor>[],
    };
    this.line++;
  }

  private leading: string[] | undefined;

  /** A run of frame pairs. */
  frame(image: string): void {
    const c = this.cur!;
    const target = c.anc ? c.anc.frames : c.frames;
    this.line += 2 * pushPairs(image, target, this.frameTable);
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
    this.out.push(g);
    this.goroutineCount++;
    this.cur = null;
    this.seenBlock = true;
  }

  /** Decides what the lines gathered since the last block are: preamble, or lines between blocks. */
  private flushPendingBeforeBlock(): void {
    const p = this.pending;
    if (!this.seenBlock) {
      for (const l of p) this.preambleLines.push(l);
    } else if (!(p.length === 1 && p[0] === "")) {
      this.leading = p.map(flat);
      for (let i = 0; i < p.length; i++) {
        const l = p[i]!;
        const ln = this.pendingLine + i;
        if (l.trim() === "" || l === "-----" || REGISTER.test(l)) continue;
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
    if (!this.seenBlock) {
      for (const l of this.pending) this.preambleLines.push(l);
      this.pending = [];
      return [];
    }
    const t = this.pending.map(flat);
    for (let i = 0; i < t.length; i++) {
      const l = t[i]!;
      const m = REGISTER.exec(l);
      if (m) this.registers.push({ name: m[1]!, value: m[2]! });
      else if (l.trim() !== "" && l !== "-----" && !/^exit status \d+$/.test(l)) {
        this.diag("info", this.pendingLine + i, "text after the last goroutine (kept as raw text)", l);
      }
    }
    this.pending = [];
    return t;
  }

  /** Classifies the preamble's raw lines into panics, fatal errors, signal lines, runtime lines. */
  preamble(): { preamble: Preamble; format: DumpFormat } {
    const panics: PanicLine[] = [];
    const fatal: string[] = [];
    const runtimeLines: string[] = [];
    const signal: Mutable<SignalInfo> = {};
    let hasSignal = false;
    let last: "panic" | "fatal" | null = null;
    let inStack = false;
    let race = false;
    for (let i = 0; i < this.preambleLines.length; i++) {
      const l = this.preambleLines[i]!;
      const ln = i + 1;
      let m: RegExpExecArray | null;
      if (l === "runtime stack:") {
        inStack = true;
        last = null;
        continue;
      }
      if (inStack) {
        if (l.trim() === "") inStack = false;
        continue;
      }
      if ((m = /^(\t*)panic: (.*)$/.exec(l))) {
        let msg = m[2]!;
        let recovered = false;
        let repanicked = false;
        if (msg.endsWith(" [recovered, repanicked]")) {
          repanicked = recovered = true;
          msg = msg.slice(0, -24);
        } else if (msg.endsWith(" [recovered]")) {
          recovered = true;
          msg = msg.slice(0, -12);
        }
        panics.push({ message: msg, recovered, repanicked, depth: m[1]!.length > 0 ? panics.length : 0 });
        last = "panic";
      } else if ((m = /^\t?fatal error: (.*)$/.exec(l))) {
        fatal.push(m[1]!);
        last = "fatal";
      } else if (l.startsWith("[signal ")) {
        signal.bracket = l.slice(1, l.endsWith("]") ? -1 : undefined);
        hasSignal = hasSignal || !l.startsWith("[signal arrived");
        last = null;
      } else if ((m = /^(?:\^\\)?((SIG[A-Z0-9]+): .*|Signal \d+|Exception 0x.*)$/.exec(l))) {
        signal.header = m[1]!;
        signal.name = m[2] ?? m[1]!;
        hasSignal = true;
        last = null;
      } else if (l.startsWith("PC=")) {
        for (const kv of l.split(" ")) {
          const [k, v] = kv.split("=");
          if (k === "PC") signal.pc = v;
          else if (k === "m") signal.m = v;
          else if (k === "sigcode") signal.sigcode = v;
          else if (k === "addr") signal.addr = v;
        }
        last = null;
      } else if (l.startsWith("runtime: ") || l.startsWith("unexpected fault address")) {
        runtimeLines.push(l);
        last = null;
      } else if (l.startsWith("\t") && last === "panic" && panics.length > 0) {
        // 1.23+: continuation lines of a multi-line panic value start with a TAB.
        const p = panics[panics.length - 1]!;
        panics[panics.length - 1] = { ...p, message: `${p.message}\n${l.slice(1)}` };
      } else if (l.startsWith("\t") && last === "fatal" && fatal.length > 0) {
        fatal[fatal.length - 1] = `${fatal[fatal.length - 1]}\n${l.slice(1)}`;
      } else if (l === "==================" || l === "WARNING: DATA RACE") {
        race = true;
      } else if (l.trim() !== "" && !race) {
        this.diag("info", ln, "text before the dump (kept in the preamble)", l);
      }
    }
    const preamble: Mutable<Preamble> = { lines: this.preambleLines.map(flat), panics, fatal, runtimeLines };
    if (hasSignal || signal.bracket !== undefined) preamble.signal = signal;
    let format: DumpFormat;
    if (signal.header !== undefined) format = "signal";
    else if (fatal.length > 0) format = "fatal";
    else if (panics.length > 0) format = "panic";
    else if (this.goroutineCount > 0) format = "debug2";
    else if (race) format = "race";
    else format = "unknown";
    return { preamble, format };
  }
}
