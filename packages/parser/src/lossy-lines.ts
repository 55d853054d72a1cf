// What a model builder that is not lossless (ModelBuilder.lossless) keeps of the lines outside goroutine
// blocks, and the patterns of the lines read there, which it always keeps.
import { unsliced } from "./function-name.ts";
import { onlyText } from "./preamble.ts";
import { isRaceStart } from "./race.ts";

/** A register line of a crash (`rax    0x0`). */
export const REGISTER = /^([a-z][a-z0-9]*)\s+(0x[0-9a-f]+)\s*$/;
/** The first line of another dump after a dump's blocks. */
export const DUMP_START =
  /^(\^\\)?(SIG[A-Z0-9]+: |Signal \d+|Exception 0x)|^panic: |^fatal error: |^\w+ profile: total \d+/;
/** `go run`'s last line. */
export const EXIT_STATUS = /^exit status \d+$/;
/**
 * A line after the last block that is a piece of a goroutine block (what is left when the input was
 * cut inside one): a header without its `]:`, a function call without its file line, `created by`,
 * an indented file line.
 */
export const PARTIAL_BLOCK_LINE = /^(goroutine \d+( |$)|created by |[\w./*()[\]-]+\(|\t\S)/;

/**
 * What stands for a line outside goroutine blocks that a builder that is not lossless did not keep
 * (see ModelBuilder.lossless): itself only text, as the line was.
 */
export const OMITTED_LINE = "\u2026 line not kept";

/** The lines outside blocks of one session, as a builder that is not lossless keeps them. */
export class LossyLines {
  /** Lines kept as OMITTED_LINE. */
  omitted = 0;
  /** Lines so far that give a diagnostic whatever comes after them. */
  private text = 0;
  /** Inside a `runtime stack:` section, after a race report's start: lines kept whatever they are. */
  private inStack = false;
  private inRace = false;

  /** @param limit how many lines that only give a diagnostic are kept (the diagnostics listed). */
  constructor(private readonly limit: number) {}

  /** The empty line between two blocks, which the builder does not pass to copy(): a stack section ends. */
  blank(): void {
    this.inStack = false;
  }

  /**
   * A line as kept: as read, or OMITTED_LINE. It follows the preamble classifier's state
   * (classifyPreamble), which skips a `runtime stack:` section and everything after a race report's
   * start without a diagnostic; a line it calls only text gives a diagnostic there, and between blocks
   * or after the last one too when it is none of the lines read there (registers, a new dump's start,
   * the piece of a cut block, `exit status`).
   */
  copy(l: string): string {
    if (this.inRace) return unsliced(l);
    const t = l.trimEnd();
    // Before the stack section's test: the race reports are read from every race start in the preamble
    // and the trailer (parseRaceReports), whatever the classifier made of the lines around it.
    if (t === "==================" || isRaceStart(t)) {
      this.inRace = true;
      return unsliced(l);
    }
    if (this.inStack) {
      if (t.length === 0) this.inStack = false;
      return unsliced(l);
    }
    if (t === "runtime stack:") {
      this.inStack = true;
      return unsliced(l);
    }
    if (
      !onlyText(t) ||
      t === "-----" ||
      EXIT_STATUS.test(t) ||
      REGISTER.test(l) ||
      DUMP_START.test(l) ||
      PARTIAL_BLOCK_LINE.test(l)
    )
      return unsliced(l);
    if (this.text++ < this.limit) return unsliced(l);
    this.omitted++;
    return OMITTED_LINE;
  }
}
