// Frame pairs but for their arguments (skeletons), noted and predicted in a frame table's uncached runs
// (FrameTable.frame, FrameTable.pairAt): where pointer arguments differ in every goroutine, no pair
// repeats, but the function and file line that follow one do.
import type { FunctionName } from "@gosleuth/model";
import type { FileParts } from "./frame.ts";
import { unsliced } from "./function-name.ts";

/** Pairs read by their skeleton (Skeletons.match): tests check that the path ran. */
export const skeletonStats = { pairs: 0 };

/**
 * Skeletons kept before that table is cleared: one per distinct function and file line, a few hundred in
 * the 216k unique-arguments dump.
 */
const SKELETONS_MAX = 4096;
/**
 * Pairs built without noting skeletons after a full table of them was predicted fewer times than it
 * holds (every stack in a function of its own: skeletons never repeat, and noting them only made garbage
 * that outlived young-generation GCs, 20 MB more peak for `stacks` on such a dump).
 */
const SKELETON_PAUSE = 65_536;
/** Header tails whose first skeleton is kept before that table is emptied (as FrameTable's first pairs). */
const ANCHORS_MAX = 10_000;

/** What a skeleton predicts: the skeleton that followed it (or, for a header tail, came first) last time. */
interface Link {
  next: Skeleton | undefined;
}

/**
 * A frame pair but for its arguments: its function line up to the arguments' `(`, its file line, and what
 * a build makes of those (the frame table's shared function name and location).
 */
export interface Skeleton extends Link {
  /** The function line up to and with its last `(`. */
  readonly head: string;
  /** The file line with its newline. */
  readonly fileLine: string;
  readonly fn: FunctionName;
  readonly loc: FileParts;
}

/** The skeletons of one frame table. */
export class Skeletons {
  private readonly byKey = new Map<string, Skeleton>();
  /** Per header tail entry, what came first after it. */
  private readonly anchors = new Map<object, Link>();
  /** The link of the last pair read in this run of pairs (startRun), when it has one. */
  private last: Link | undefined;
  /** Pairs read by their skeleton since the table was last cleared. */
  private hits = 0;
  /** Pairs still to be noted as having no skeleton (see SKELETON_PAUSE). */
  private pause = 0;
  /** After a match: its skeleton and where its arguments end (they start after its head). */
  matched: Skeleton | undefined;
  argsEnd = 0;

  clear(): void {
    this.byKey.clear();
    this.anchors.clear();
    this.last = undefined;
    this.hits = 0;
    this.pause = 0;
  }

  /**
   * A run of pairs starts: a goroutine's first pair after the header tail entry `head`, or another run
   * (`head` undefined: after an elision marker, in an ancestor's stack, or outside an uncached run).
   */
  startRun(head: object | undefined): void {
    if (head === undefined) {
      this.last = undefined;
      return;
    }
    let a = this.anchors.get(head);
    if (a === undefined) {
      if (this.anchors.size >= ANCHORS_MAX) this.anchors.clear();
      a = { next: undefined };
      this.anchors.set(head, a);
    }
    this.last = a;
  }

  /**
   * The end of the pair at `pos` when it has the skeleton predicted after the last pair (then `matched`
   * and `argsEnd` are set), else -1. What matches is a pair `pairEnd` takes and a build reads as that
   * skeleton: the same function line up to the arguments, arguments without `(` and a `)` that ends the
   * line, and the same file line.
   */
  match(text: string, pos: number): number {
    const s = this.last?.next;
    if (s === undefined) return -1;
    const h = s.head;
    const a = pos + h.length;
    if (a > text.length || text.substring(pos, a) !== h) return -1;
    const le = text.indexOf("\n", a);
    if (le === -1 || text.charCodeAt(le - 1) !== 41 /* ) */ || text.lastIndexOf("(", le - 2) !== a - 1)
      return -1;
    const fl = s.fileLine;
    const e = le + 1 + fl.length;
    if (e > text.length || text.charCodeAt(e - 1) !== 10 || text.substring(le + 1, e) !== fl) return -1;
    skeletonStats.pairs++;
    this.hits++;
    this.matched = s;
    this.argsEnd = le - 1;
    this.last = s;
    return e;
  }

  /**
   * Notes the skeleton of a pair just built as the one after the last (`fn`, the function text before
   * the arguments' `(`, undefined: it has none, its line having blanks at its end, no arguments or no
   * newline after its file line).
   */
  note(fn: string | undefined, l2: string, name: FunctionName, loc: FileParts): void {
    if (this.pause > 0) {
      this.pause--;
      this.last = undefined;
      return;
    }
    // A line that starts another token never has a skeleton: match could not tell it apart.
    if (fn === undefined || /^(goroutine |created by |\.\.\.|\[)/.test(fn)) {
      this.last = undefined;
      return;
    }
    const k = `${fn}\n${l2}`;
    let s = this.byKey.get(k);
    if (s === undefined) {
      if (this.byKey.size >= SKELETONS_MAX) {
        if (this.hits < SKELETONS_MAX) this.pause = SKELETON_PAUSE;
        this.byKey.clear();
        this.hits = 0;
      }
      s = { head: unsliced(`${fn}(`), fileLine: unsliced(`${l2}\n`), fn: name, loc, next: undefined };
      this.byKey.set(unsliced(k), s);
    }
    if (this.last !== undefined) this.last.next = s;
    this.last = s;
  }
}
