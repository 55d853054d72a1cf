// Argument lists numbered by their key at a similarity level, so that grouping compares small integers
// per frame instead of argument text. The grouper asks only for frames that differ from the last
// goroutine's; those often recur further back (the parser shares frame objects by their text), so a few
// thousand frames' numbers are kept, bounded: where arguments never repeat (a busy server's pointers) a
// table of every frame would hold them all until the next collection.
import type { Frame } from "@gosleuth/model";
import { argsKey, type Similarity, unsliced } from "./args.ts";

/** Frames whose key numbers are remembered (by object: the parser shares a frame among goroutines). */
const FRAME_CACHE_MAX = 8192;

export class ArgKeyNumbers {
  private readonly ids = new Map<string, number>();
  /**
   * Key numbers of frames seen lately, cleared when full; where fewer than half were found again (pointer
   * arguments that differ in every goroutine) it is left unused for a while, as the parser's frame table is.
   */
  private readonly byFrame = new Map<Frame, number>();
  private lookups = 0;
  private misses = 0;
  private uncachedLeft = 0;

  constructor(readonly similarity: Similarity) {}

  /**
   * Whether the last text given to `ofPart` is its own key (`exact`, or no address in it at `pointers`):
   * two texts with that key are then the same text.
   */
  lastIsKey = false;

  /** The number of an argument text's key. */
  of(args: string): number {
    return this.number(argsKey(args, this.similarity));
  }

  /** `of`, and whether the text is its own key (in lastIsKey). */
  ofPart(args: string): number {
    const k = argsKey(args, this.similarity);
    // Keys only add `*`: a text without one that is its own key is the one text with that key.
    this.lastIsKey = this.similarity !== "any" && k === args && !args.includes("*");
    return this.number(k);
  }

  private number(k: string): number {
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(unsliced(k), id);
    }
    return id;
  }

  /** The number of a frame's arguments' key. */
  ofFrame(f: Frame): number {
    if (this.uncachedLeft > 0) {
      this.uncachedLeft--;
      return this.of(f.args);
    }
    this.lookups++;
    // A hit does nothing but return: the first hits often come after this code was optimized, and any
    // operation on that path would then send the grouping code back to be compiled again.
    const known = this.byFrame.get(f);
    if (known !== undefined) return known;
    this.misses++;
    const id = this.of(f.args);
    if (this.byFrame.size >= FRAME_CACHE_MAX) this.evict();
    this.byFrame.set(f, id);
    return id;
  }

  /** Empties the full frame cache, leaving it unused for a while where fewer than half were found again. */
  private evict(): void {
    if ((this.lookups - this.misses) * 2 < this.lookups) this.uncachedLeft = 4 * FRAME_CACHE_MAX;
    this.byFrame.clear();
    this.lookups = 0;
    this.misses = 0;
  }
}
