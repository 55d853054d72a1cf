// What a consumer worked out for a goroutine's stack, found again for a goroutine with the very same stack
// without working it out again. The parser shares frame objects between goroutines whose frames print
// alike, so a goroutine whose frames are the same objects as an earlier one's, in the same state class,
// with the same elisions and creator site, has that goroutine's signature, creator site and group: one
// lookup by its top frame and one identity comparison per frame, instead of the signature interner's
// walk, the site lookup and the group lookup.
import type { Frame, Goroutine } from "@gosleuth/model";

/** Stacks remembered (one per top frame object) before the table starts over. */
const MEMO_MAX = 4096;
/** Lookups after which the table is left unused for a while when fewer than half of them were found. */
const WINDOW = 1024;

class Remembered<T> {
  constructor(
    readonly frames: readonly Frame[],
    readonly stateClass: string,
    readonly elided: Goroutine["elided"],
    readonly creatorFn: string | undefined,
    readonly creatorFile: string,
    readonly creatorLine: number,
    readonly value: T,
  ) {}
}

/** Whether two stacks have their elision markers at the same places. */
function sameElisions(a: Goroutine["elided"], b: Goroutine["elided"]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.index !== b[i]!.index) return false;
  return true;
}

/**
 * The value a consumer derived from a goroutine's stack (signature, creator site, group), by the last
 * goroutine seen with each top frame object. Bounded, and switched off where it does not pay: where frames
 * are not shared (pointer arguments that differ in every goroutine, so the parser builds every frame anew)
 * nearly every lookup misses, and the table is then left unused for a while, as the parser's frame table is.
 */
export class StackMemo<T> {
  private readonly byTop = new Map<Frame, Remembered<T>>();
  private lookups = 0;
  private hits = 0;
  private unusedLeft = 0;

  /** The value remembered for a goroutine with this very stack, if any. */
  get(g: Goroutine): T | undefined {
    if (this.unusedLeft > 0) return undefined;
    const frames = g.frames;
    const top = frames[0];
    if (top === undefined) return undefined;
    if (++this.lookups === WINDOW) this.endWindow();
    const r = this.byTop.get(top);
    if (r !== undefined && r.stateClass === g.stateClass) {
      const f = r.frames;
      let same = f.length === frames.length;
      if (same && f !== frames) for (let i = 1; i < f.length && same; i++) same = f[i] === frames[i];
      if (same && (r.elided === g.elided || sameElisions(r.elided, g.elided))) {
        const c = g.createdBy;
        if (
          c === undefined
            ? r.creatorFn === undefined
            : r.creatorFn === c.fn.full && r.creatorLine === c.line && r.creatorFile === c.file
        ) {
          this.hits++;
          return r.value;
        }
      }
    }
    return undefined;
  }

  /** Remembers `value` for goroutine `g`'s stack (after a `get` that missed). */
  set(g: Goroutine, value: T): void {
    if (this.unusedLeft > 0) {
      this.unusedLeft--;
      return;
    }
    const top = g.frames[0];
    if (top === undefined) return;
    if (this.byTop.size >= MEMO_MAX) this.byTop.clear();
    const c = g.createdBy;
    this.byTop.set(
      top,
      new Remembered(
        g.frames,
        g.stateClass,
        g.elided,
        c?.fn.full,
        c === undefined ? "" : c.file,
        c === undefined ? 0 : c.line,
        value,
      ),
    );
  }

  /** After WINDOW lookups: where fewer than half were found, the table is emptied and left unused a while. */
  private endWindow(): void {
    if (this.hits * 2 < this.lookups) {
      this.unusedLeft = 16 * WINDOW;
      this.byTop.clear();
    }
    this.lookups = 0;
    this.hits = 0;
  }
}
