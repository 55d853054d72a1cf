// A goroutine's whole body after its first pair, predicted from the body that followed the same first
// frame before: goroutines of one kind repeat their stack up to the parent id, so one compare of the
// body stands for a compare or lookup a pair and the `created by` line's parse.
import type { CreatedBy, Elision, Frame } from "@gosleuth/model";
import type { FrameTable } from "./frame.ts";
import { unsliced } from "./function-name.ts";
import { lineEnd } from "./line-matchers.ts";

/**
 * Characters of remembered goroutine bodies kept before that table is emptied. The table is emptied with
 * the frame table too (every 50,000 distinct pairs), so it stays far below this: at most 1.2 M characters
 * on the 216k bench dump, 1.5 M on the 1.5 GB one (eight bodies per first frame).
 */
const BODY_CHARS_MAX = 8_000_000;
/**
 * Bodies remembered per first frame, the latest hit first: goroutines of one kind that start alike end
 * differently (a request handler's stack under several callers), and the long bodies (deep recursions)
 * alternate most.
 */
export const BODIES_PER_FIRST = 8;
let bodyCharsMax = BODY_CHARS_MAX;

/** Sets the character cap of remembered bodies (tests; undefined: the default). */
export function setBodyCharsMax(n: number | undefined): void {
  bodyCharsMax = n ?? BODY_CHARS_MAX;
}

/**
 * Whether the frames and elision arrays of remembered bodies, which every goroutine repeating the body
 * shares, are frozen, so that a write to one throws (ES modules are strict) instead of changing other
 * goroutines' stacks: set by GOSLEUTH_FREEZE_SHARED=1 (the CLI's shared-frames test runs every command
 * so) or setFreezeShared. Off by default: freezing cost 7.9% more instructions (callgrind, `summary
 * --json --threads 1` on the first 20 MB of the 216k bench dump: 3,265 M frozen against 3,026 M not;
 * not taken apart, but a frozen array has another elements kind, so the consumers' loads over frames
 * see two).
 */
let freezeShared =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.GOSLEUTH_FREEZE_SHARED === "1";

/** Sets whether remembered bodies' arrays are frozen (tests; see freezeShared). */
export function setFreezeShared(on: boolean): void {
  freezeShared = on;
}

/** A body longer than this is not remembered (one deep recursion would take a large share of the table). */
const BODY_MAX = 65_536;
/**
 * Misses in a row after which the last of a first frame's full list of bodies gives way to the next one
 * read: replacing it at every miss copied 115 M characters on the 216k bench dump with one body per
 * first frame (bodies after one first pair alternate), for 2% more hits than at four.
 */
const BODY_MISSES = 4;

/**
 * A goroutine's body after its first pair as the fast path last read it after that pair: the text up to
 * the parent id of its `created by` line (and what follows the id), and what the builder made of it.
 * Only bodies that ended with `created by` and its file line and gave no diagnostic are kept.
 */
export interface Body {
  /** From after the first pair up to the parent id (`… in goroutine `), or through the whole `created by` token when `parent` is false. */
  readonly text: string;
  /** The last character of `text` and the one in its middle (checked before the compare). */
  readonly last: number;
  readonly mid: number;
  /** Whether a parent id (1–15 digits) follows `text`, then `tail`. */
  readonly parent: boolean;
  /** After the parent id: the end of the `created by` line and its file line, newline included. */
  readonly tail: string;
  /** Every frame of the goroutine, the first one included (the same array for each goroutine: never written). */
  readonly frames: readonly Frame[];
  /** Its elisions (the same array for each goroutine: never written). */
  readonly elided: readonly Elision[];
  /** The `created by` the slow path made (its `parentId` is replaced by the one read when `parent`). */
  readonly createdBy: CreatedBy;
  /** Frame-table lookups the pairs after the first cost the slow path (all hits on a repeat). */
  readonly lookups: number;
  /** Input lines after the first pair, `created by` included. */
  readonly lines: number;
  /** Misses since it last hit (see BODY_MISSES). */
  misses: number;
  /**
   * Its frames that were young when it was read (not yet in the frame table, see FrameTable.young), one
   * entry per lookup, and their pairs' texts, until a prediction found them all interned; undefined when
   * none is young.
   */
  young: { keys: string[]; frames: Frame[] } | undefined;
}

/**
 * The bodies of one parsing session, by the interned frame of their first pair (see Body), and the
 * goroutine being watched to remember its body. Held by the session's FrameTable: its frames are the
 * table's, so it is emptied whenever the frame table is (`clear`), and at BODY_CHARS_MAX characters.
 *
 * The builder calls `predict` after a goroutine's first pair; on a miss, `watch` when the body that
 * follows may be remembered, then `remember` at its `created by` token, and `stop` at the goroutine's end.
 */
export class BodyPrediction {
  /** Per first frame, up to BODIES_PER_FIRST bodies, the latest hit (or the latest read) first. */
  private readonly bodies = new Map<Frame, Body[]>();
  private chars = 0;
  /** After `predict` found one: the body, and the parent id read after it (its own when `parent` is false). */
  body: Body | undefined = undefined;
  parentId: number | undefined = undefined;
  // Where the watched goroutine's body after its first pair started (-1: none is watched), and the
  // builder's and the frame table's state there (see remember).
  private from = -1;
  private first: Frame | undefined;
  private line = 0;
  private lookups = 0;
  private watchedGeneration = 0;
  private diagnostics = 0;
  private misses = 0;
  // The young frames of the watched body, one per lookup (see FrameTable.young), and their texts.
  private youngKeys: string[] = [];
  private youngFrames: Frame[] = [];

  constructor(private readonly table: FrameTable) {}

  /** Characters of the bodies remembered now (tests). */
  get rememberedChars(): number {
    return this.chars;
  }

  /** Forgets every body (called by the frame table when it is emptied: their frames are no longer its own). */
  clear(): void {
    this.bodies.clear();
    this.chars = 0;
  }

  /**
   * Whether the text after the first pair (the interned `first`) at `pos` is one of the bodies that
   * followed `first` before (the latest hit first), up to its parent id: then reads the id and compares
   * the rest of the `created by` token, sets `body` and `parentId`, and returns the end of that token;
   * otherwise -1.
   */
  predict(first: Frame, text: string, pos: number): number {
    const table = this.table;
    if (table.uncached) return -1;
    const list = this.bodies.get(first);
    if (list === undefined) return -1;
    let n = list.length;
    for (let i = 0; i < n; i++) {
      const b = list[i]!;
      const q = this.match(b, text, pos);
      if (q === -1) {
        b.misses++;
        continue;
      }
      if (b.young !== undefined && !this.claimYoung(b)) {
        // A frame of it was dropped with the young table: read pair by pair, as the grammar would.
        this.chars -= b.text.length + b.tail.length;
        list.splice(i, 1);
        n--;
        i--;
        continue;
      }
      b.misses = 0;
      // The latest hit first: the ones before it move down one place (no body is copied).
      for (let j = i; j > 0; j--) list[j] = list[j - 1]!;
      list[0] = b;
      this.body = b;
      return q;
    }
    return -1;
  }

  /**
   * Whether every young frame of `b` is still the one a lookup of its pair would find (FrameTable.holds);
   * then counts the hits those lookups would be (FrameTable.claim). Once all are interned, the body holds
   * no young frame any more.
   */
  private claimYoung(b: Body): boolean {
    const y = b.young!;
    const table = this.table;
    const n = y.keys.length;
    // All checked before any is counted: a body refused is read pair by pair, whose lookups count then.
    for (let k = 0; k < n; k++) if (!table.holds(y.keys[k]!, y.frames[k]!)) return false;
    let all = true;
    for (let k = 0; k < n; k++) if (!table.claim(y.keys[k]!, y.frames[k]!)) all = false;
    if (all) b.young = undefined;
    return true;
  }

  /** A young frame the table just returned for `key`: noted when a body is watched (see Body.young). */
  noteYoung(key: string, f: Frame): void {
    if (this.from === -1) return;
    this.youngKeys.push(key);
    this.youngFrames.push(f);
  }

  /**
   * Whether the body `b` is the text at `pos`, its parent id and the tail after it included: the end of
   * its `created by` token (and the id read in `parentId`), or -1.
   */
  private match(b: Body, text: string, pos: number): number {
    const l = b.text.length;
    // The last character, then one in the middle, rule out most other bodies before the compare (a
    // body past the text's end is a miss too: checked apart, so that no read past it is compiled).
    if (
      pos + l > text.length ||
      text.charCodeAt(pos + l - 1) !== b.last ||
      text.charCodeAt(pos + (l >> 1)) !== b.mid ||
      text.substring(pos, pos + l) !== b.text
    )
      return -1;
    let q = pos + l;
    let parentId = b.createdBy.parentId;
    if (b.parent) {
      // The id's digits (as Number() reads them: exact up to 15), then the tail right after them.
      const d = q;
      let id = 0;
      for (;;) {
        const ch = text.charCodeAt(q);
        if (!(ch >= 48 && ch <= 57)) break;
        id = id * 10 + (ch - 48);
        q++;
      }
      const t = b.tail;
      const tl = t.length;
      if (q === d || q - d > 15 || text.charCodeAt(q + tl - 1) !== 10 || text.substring(q, q + tl) !== t)
        return -1;
      parentId = id;
      q += tl;
    }
    this.parentId = parentId;
    return q;
  }

  /**
   * Watches the goroutine whose body after its first pair (`first`, at input line `line`) starts at
   * `pos`, to remember that body at its `created by`: `diagnostics` and `misses` are the builder's
   * diagnostic count and the frame table's misses before that pair was read.
   */
  watch(first: Frame, pos: number, line: number, diagnostics: number, misses: number): void {
    const table = this.table;
    if (table.uncached) return;
    this.from = pos;
    this.first = first;
    this.line = line;
    this.lookups = table.lookupCount;
    this.watchedGeneration = table.generation;
    this.diagnostics = diagnostics;
    this.misses = misses;
    if (this.youngKeys.length > 0) this.forgetYoung();
  }

  /** Forgets the watched goroutine (it ended, or its body is not one to remember). */
  stop(): void {
    this.from = -1;
    if (this.youngKeys.length > 0) this.forgetYoung();
  }

  private forgetYoung(): void {
    this.youngKeys = [];
    this.youngFrames = [];
  }

  /**
   * At the watched goroutine's `created by` token, [p, e) in `text` (already given to the builder):
   * remembers its body for the next goroutine that starts with the same pair, when it is one to
   * predict: read by frameRun from its first pair on, its frames all from the frame table as it still
   * is, no diagnostic on the way (`diagnostics`: the builder's count now), and `created by` with its
   * file line, ended by a newline. `line` is the builder's next line.
   */
  remember(
    text: string,
    p: number,
    e: number,
    frames: readonly Frame[],
    elided: readonly Elision[],
    createdBy: CreatedBy,
    stackUnavailable: boolean,
    line: number,
    diagnostics: number,
  ): void {
    const from = this.from;
    if (from === -1) return;
    this.from = -1;
    const youngKeys = this.youngKeys;
    const youngFrames = this.youngFrames;
    if (youngKeys.length > 0) this.forgetYoung();
    const table = this.table;
    const first = this.first!;
    if (
      table.generation !== this.watchedGeneration ||
      table.uncached ||
      stackUnavailable ||
      diagnostics !== this.diagnostics ||
      !this.wants(first, table.missCount === this.misses)
    )
      return;
    const l1 = lineEnd(text, p);
    if (e <= l1 + 1 || text.charCodeAt(e - 1) !== 10) return;
    // `… in goroutine N` with the id's digits right before the newline: the id is read apart.
    let d = l1;
    while (d > p && l1 - d <= 15) {
      const ch = text.charCodeAt(d - 1);
      if (!(ch >= 48 && ch <= 57)) break;
      d--;
    }
    const parent = d < l1 && l1 - d <= 15 && text.startsWith(" in goroutine ", d - 14);
    const body = unsliced(text.substring(from, parent ? d : e));
    const b: Body = {
      text: body,
      last: body.charCodeAt(body.length - 1),
      mid: body.charCodeAt(body.length >> 1),
      parent,
      tail: parent ? unsliced(text.substring(l1, e)) : "",
      // The goroutine's own arrays, not copies: its block ends at this `created by` (nothing is pushed
      // to them after it), and from now on every goroutine that repeats the body shares them. Frozen
      // only when asked (see freezeShared).
      frames: freezeShared ? Object.freeze(frames) : frames,
      elided: freezeShared ? freezeElisions(elided) : elided,
      createdBy,
      lookups: table.lookupCount - this.lookups,
      lines: line - this.line - 2,
      misses: 0,
      young: youngKeys.length === 0 ? undefined : { keys: youngKeys, frames: youngFrames },
    };
    this.keep(first, b);
  }

  /**
   * Whether a body read after `first` would be remembered: its list of bodies is not full, or the last
   * one keeps missing. `known`: every pair of it was in the frame table already (see FrameTable.keepsNew).
   */
  private wants(first: Frame, known: boolean): boolean {
    if (!this.table.keepsNew(known)) return false;
    const list = this.bodies.get(first);
    return (
      list === undefined ||
      list.length < BODIES_PER_FIRST ||
      list[BODIES_PER_FIRST - 1]!.misses >= BODY_MISSES
    );
  }

  /** Remembers `body` as the latest one that followed the interned frame `first` (the last one drops out). */
  private keep(first: Frame, body: Body): void {
    const l = body.text.length + body.tail.length;
    if (l > BODY_MAX) return;
    if (this.chars + l > bodyCharsMax) this.clear();
    let list = this.bodies.get(first);
    if (list === undefined) {
      list = [];
      this.bodies.set(first, list);
    }
    if (list.length < BODIES_PER_FIRST) list.push(body);
    else {
      const old = list[BODIES_PER_FIRST - 1]!;
      this.chars -= old.text.length + old.tail.length;
    }
    for (let j = list.length - 1; j > 0; j--) list[j] = list[j - 1]!;
    list[0] = body;
    this.chars += l;
  }
}

/** `elided` and its elisions frozen (shared as the frames are); the empty list is frozen already. */
function freezeElisions(elided: readonly Elision[]): readonly Elision[] {
  if (Object.isFrozen(elided)) return elided;
  for (const e of elided) Object.freeze(e);
  return Object.freeze(elided);
}
