// Argument lists numbered by their key at a similarity level, so that grouping compares small integers
// per frame instead of argument text. The parser shares one frame object between goroutines whose frames
// print alike, so a frame's number is looked up once per object.
import type { Frame } from "@gosleuth/model";
import { argsKey, type Similarity, unsliced } from "./args.ts";

export class ArgKeyNumbers {
  private readonly ids = new Map<string, number>();
  // Weak: a frame the parser did not intern must not outlive its goroutine (nor keep its piece's text).
  private readonly ofFrames = new WeakMap<Frame, number>();

  constructor(readonly similarity: Similarity) {}

  /** The number of an argument text's key. */
  of(args: string): number {
    const k = argsKey(args, this.similarity);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(unsliced(k), id);
    }
    return id;
  }

  /** The number of a frame's arguments' key. */
  ofFrame(f: Frame): number {
    let id = this.ofFrames.get(f);
    if (id === undefined) {
      id = this.of(f.args);
      this.ofFrames.set(f, id);
    }
    return id;
  }
}
