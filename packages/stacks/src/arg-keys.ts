// Argument lists numbered by their key at a similarity level, so that grouping compares small integers
// per frame instead of argument text. No cache per frame object: the grouper asks only for frames that
// differ from the last goroutine's, and where arguments never repeat (a busy server's pointers) a table of
// frames would hold every frame of the dump until the next collection.
import type { Frame } from "@gosleuth/model";
import { argsKey, type Similarity, unsliced } from "./args.ts";

export class ArgKeyNumbers {
  private readonly ids = new Map<string, number>();

  constructor(readonly similarity: Similarity) {}

  /**
   * Whether the last text given to `of` is its own key (`exact`, or no address in it at `pointers`): two
   * texts with that key are then the same text.
   */
  lastIsKey = false;

  /** The number of an argument text's key. */
  of(args: string): number {
    const k = argsKey(args, this.similarity);
    // Keys only add `*`: a text without one that is its own key is the one text with that key.
    this.lastIsKey = this.similarity !== "any" && k === args && !args.includes("*");
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(unsliced(k), id);
    }
    return id;
  }

  /** The number of a frame's arguments' key. */
  ofFrame(f: Frame): number {
    return this.of(f.args);
  }
}
