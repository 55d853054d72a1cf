// `created by` tokens read before, but for their parent id. A dump's spawning sites are few, and a
// goroutine whose body is not predicted (its first frame new: arguments that differ from goroutine to
// goroutine) still ends with the `created by` of one of them: a hit costs a few compares and the id's
// digits instead of finding the token's end, slicing it and parsing its two lines.
import type { CreatedBy } from "@gosleuth/model";
import { endWithoutBlanks } from "./frame.ts";
import { unsliced } from "./function-name.ts";

/**
 * Heads kept (the latest hit first), and tails per head. One creating function often has several `go`
 * statements (the 216k bench dumps: seven under one head, met in turns), so tails are kept per head
 * and more of them: a miss costs a failed compare for each entry and then the parse.
 */
const HEADS_MAX = 8;
const TAILS_MAX = 16;

interface Tail {
  /** After the id: the rest of its line (blanks only) and the file line, newline included; "" when no id. */
  readonly text: string;
  /** What FrameTable.createdBy made of the token (its parentId is replaced by the one read). */
  readonly cb: CreatedBy;
}

interface Head {
  /** The token up to its parent id (`created by F in goroutine `), or the whole token when it has none. */
  readonly text: string;
  readonly hasId: boolean;
  /** The latest hit first. */
  readonly tails: Tail[];
}

/** Moves `list[i]` to the front, the ones before it down one place. */
function toFront<T>(list: T[], i: number): void {
  const x = list[i]!;
  for (let j = i; j > 0; j--) list[j] = list[j - 1]!;
  list[0] = x;
}

/** Adds `x` at the front of `list`, the last one dropping out when `list` holds `max`. */
function addFront<T>(list: T[], x: T, max: number): void {
  if (list.length < max) list.push(x);
  for (let j = list.length - 1; j > 0; j--) list[j] = list[j - 1]!;
  list[0] = x;
}

export class CreatedByMemo {
  private readonly heads: Head[] = [];
  /** After a hit: what the token parses to, and the parent id read (undefined for a token without one). */
  hit: CreatedBy | undefined = undefined;
  parentId: number | undefined = undefined;

  /**
   * The end of the `created by` token at `p` in `text` when it is a remembered one but for its parent
   * id (then `hit` and `parentId` are set), else -1. A remembered token ends with its file line and the
   * newline after it, so createdByEnd would end it at the same place.
   */
  match(text: string, p: number): number {
    const heads = this.heads;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (!text.startsWith(h.text, p)) continue;
      let q = p + h.text.length;
      const tails = h.tails;
      if (!h.hasId) {
        this.hit = tails[0]!.cb;
        this.parentId = undefined;
        toFront(heads, i);
        return q;
      }
      // The id's digits (as Number() reads them: exact up to 15), then one of the tails right after them.
      const d = q;
      let id = 0;
      const n = text.length;
      while (q < n) {
        const ch = text.charCodeAt(q);
        if (!(ch >= 48 && ch <= 57)) break;
        id = id * 10 + (ch - 48);
        q++;
      }
      if (q === d || q - d > 15) return -1;
      for (let k = 0; k < tails.length; k++) {
        const t = tails[k]!;
        if (!text.startsWith(t.text, q)) continue;
        this.hit = t.cb;
        this.parentId = id;
        toFront(tails, k);
        toFront(heads, i);
        return q + t.text.length;
      }
      // Another head matching here too is unlikely (heads are different texts), and a miss only costs the parse.
      return -1;
    }
    return -1;
  }

  /**
   * Remembers the token `image` (as createdByEnd ended it) that FrameTable.createdBy parsed to `cb`, when a
   * match of it would give the same: it has its file line, ends with a newline and gave no diagnostic
   * (a file), and its parent id, if any, ends its line but for blanks (so the parse reads exactly the
   * digits a match reads).
   */
  remember(image: string, cb: CreatedBy): void {
    const n = image.length;
    const nl = image.indexOf("\n");
    if (cb.file === "" || nl === -1 || nl >= n - 1 || image.charCodeAt(n - 1) !== 10) return;
    if (cb.parentId === undefined) {
      addFront(this.heads, { text: unsliced(image), hasId: false, tails: [{ text: "", cb }] }, HEADS_MAX);
      return;
    }
    const e = endWithoutBlanks(image, nl);
    let d = e;
    while (d > 0 && e - d < 16) {
      const ch = image.charCodeAt(d - 1);
      if (!(ch >= 48 && ch <= 57)) break;
      d--;
    }
    if (
      d === e ||
      e - d > 15 ||
      !image.startsWith(" in goroutine ", d - 14) ||
      Number(image.slice(d, e)) !== cb.parentId
    )
      return;
    const tail: Tail = { text: unsliced(image.slice(e)), cb };
    const heads = this.heads;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (h.hasId && h.text.length === d && image.startsWith(h.text)) {
        addFront(h.tails, tail, TAILS_MAX);
        toFront(heads, i);
        return;
      }
    }
    addFront(heads, { text: unsliced(image.slice(0, d)), hasId: true, tails: [tail] }, HEADS_MAX);
  }
}
