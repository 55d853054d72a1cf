// Frames (`FUNC(ARGS)` + `\tFILE:LINE +0xOFF` pairs) and `created by` lines, built once per distinct text.
import type { CreatedBy, Frame, FunctionName } from "@gosleuth/model";
import { BodyPrediction } from "./body-prediction.ts";
import { functionName, unsliced } from "./function-name.ts";
import { Skeletons } from "./skeletons.ts";

/**
 * Misses (pairs built) after which a session's frame table is cleared, or, when most lookups missed,
 * frames are built without it for a while: the table never holds more pairs than that.
 */
const FRAME_TABLE_MAX = 50_000;
let frameTableMax = FRAME_TABLE_MAX;

/** Sets the misses after which the frame table is cleared or an uncached run starts (tests; undefined: the default). */
export function setFrameTableMax(n: number | undefined): void {
  frameTableMax = n ?? FRAME_TABLE_MAX;
}

/**
 * Pairs seen once kept before that table (`young`) is cleared. A pair enters the frame table when seen
 * PROMOTE_HITS more times before then: a pair seen once stays young and dies young.
 */
const YOUNG_MAX = 512;
/**
 * Lookups that find a young frame before it enters the frame table. Measured against entering it at the
 * second sight (1), `summary` on the 216k bench dump was 2% faster at 4 and 8 (paired runs, ×24; the
 * frame table then holds fewer of the recursions' frames that come back a few times), and no faster at 1
 * (tooling/bench/README.md, session 18).
 */
const PROMOTE_HITS = 4;
let promoteHits = PROMOTE_HITS;

/** Sets the hits after which a young frame is interned (tests; undefined: the default). */
export function setPromoteHits(n: number | undefined): void {
  promoteHits = n ?? PROMOTE_HITS;
}
/** Distinct file lines kept before that table is cleared (distinct file lines are distinct PCs: few). */
const LOCATION_TABLE_MAX = 100_000;
/**
 * Frames built without the table after FRAME_TABLE_MAX misses that were most of the lookups, at first;
 * twice as many after each further run of misses (each table's entries outlive young-generation GCs).
 */
const UNCACHED_RUN = 500_000;
/** Header tails whose first pairs are remembered before that table is emptied (a dump has few tails). */
const FIRST_MAX = 10_000;
/**
 * First pairs remembered per header tail, latest first: goroutines of several kinds share a state
 * (`chan receive`), and their kinds alternate in a dump.
 */
const FIRST_PER_HEAD = 4;
export type FileParts = ReturnType<typeof fileParts>;

/**
 * The frames of one parsing session, interned by their text, so goroutines with the same stack share
 * frame objects (what keeps a big model small, and what lets the spawn graph key locations by object).
 * Each session has its own tables: two parsers in one process never share or clear each other's.
 *
 * A pair enters the table once it has been seen again a few times: until then its frame waits in a small
 * table of young frames (`young`), so that a pair with pointer arguments no other goroutine has (a
 * connection, a WaitGroup) costs no entry in the frame table (on the 216k bench dump 45,235 of the
 * 103,965 pairs looked up here missed, nearly all of them such pairs, and the table kept them all, each
 * an entry that outlives young-generation GCs). A young frame is the same object at every sight while it
 * stays young; a pair seen again after the young table was emptied gets a new frame.
 *
 * When pointer arguments differ in every goroutine, nearly every pair is new: frames are then built
 * without any table for a while (after FRAME_TABLE_MAX misses, most lookups having missed), and the
 * table is tried again after.
 */
export class FrameTable {
  private readonly frames = new Map<string, Frame>();
  /**
   * Young frames by their pair's text (a copy, kept in the entry too: the key it is interned under and
   * the one a watched body notes), with the lookups that found each: cleared when it holds
   * YOUNG_MAX, and with `frames`. A young frame becomes an interned one, the same object, at its
   * PROMOTE_HITS-th hit: through `frame`, or through `claim` when a remembered body that holds it is
   * predicted (next pairs and first pairs never hold one, see `remember`).
   */
  private readonly young = new Map<string, { key: string; frame: Frame; hits: number }>();
  /**
   * Whether the last `frame` call returned a young frame (new, or seen again but not yet in the table):
   * the next pairs and first pairs remembered never hold one (see `remember`).
   */
  lastYoung = false;
  /**
   * For an interned frame, the pair that followed it last time (its text, an unsliced copy, and its
   * frame): goroutines of one kind repeat their stacks, so the next pair is most often that one, found
   * by one compare instead of a line search and a hashed lookup. Emptied with `frames`, so a frame
   * found here is always the one `frames` holds for that text.
   */
  private readonly after = new Map<Frame, { key: string; frame: Frame }>();
  /**
   * The same for a goroutine's first pair, keyed by what came before it: the header's shared tail
   * entry (goroutines in one state are of a few kinds, so they often start with a pair seen lately
   * after the same tail): up to FIRST_PER_HEAD pairs, the latest first. Emptied with `frames` too,
   * and when it holds FIRST_MAX keys (header tails come and go).
   */
  private readonly first = new Map<object, { key: string; frame: Frame }[]>();
  /**
   * The goroutine bodies remembered by their first frame (see BodyPrediction): emptied with `frames`,
   * so its frames are always the ones `frames` holds.
   */
  readonly bodies: BodyPrediction = new BodyPrediction(this);
  /** Counts the emptyings of the frame table: frames remembered in one generation are its own. */
  generation = 0;
  /**
   * File lines seen (unsliced copies as keys), split once: frames that differ only in their arguments,
   * and the `created by` lines of siblings, share one location.
   */
  private readonly locations = new Map<string, FileParts>();
  /**
   * File names of those file lines, one string per name: each file line's name was a slice of its own
   * line, and every frame keeps its file, so a consumer that keeps frames (leaks' groups) kept a name
   * and its line alive per file line where every stack differs.
   */
  private readonly files = new Map<string, string>();
  // The frame table's record since it was last cleared, and how many frames are still to be built
  // without it.
  private lookups = 0;
  private hits = 0;
  private uncachedLeft = 0;
  /** What follows what, arguments aside, in uncached runs (see Skeletons). */
  private readonly skeletons = new Skeletons();
  /** The frame of the pair pairAt read last. */
  predictedFrame: Frame | undefined;
  private uncachedRun = UNCACHED_RUN;

  private location(l2: string): FileParts {
    let loc = this.locations.get(l2);
    if (loc === undefined) {
      const key = unsliced(l2);
      loc = fileParts(key);
      const file = this.files.get(loc.file);
      if (file !== undefined) loc.file = file;
      else this.files.set(loc.file, loc.file);
      if (this.locations.size >= LOCATION_TABLE_MAX) {
        this.locations.clear();
        this.files.clear();
      }
      this.locations.set(key, loc);
    }
    return loc;
  }

  /** Forgets every entry (frames handed out stay valid; only sharing with later frames is lost). */
  clear(): void {
    this.emptyFrames();
    this.locations.clear();
    this.files.clear();
    this.skeletons.clear();
    this.uncachedLeft = 0;
    this.uncachedRun = UNCACHED_RUN;
  }

  /**
   * Empties the frames and everything keyed by them or holding them (next pairs, first pairs, bodies),
   * and the lookup counts: one place, so that a table added later is emptied on both paths.
   */
  private emptyFrames(): void {
    this.frames.clear();
    this.young.clear();
    this.after.clear();
    this.first.clear();
    this.bodies.clear();
    this.generation++;
    this.lookups = 0;
    this.hits = 0;
  }

  /** Frame-table lookups counted since the table was last emptied. */
  get lookupCount(): number {
    return this.lookups;
  }

  /** Of those, the ones that missed (a frame was built). */
  get missCount(): number {
    return this.lookups - this.hits;
  }

  /**
   * Whether the last `frame` call built a new frame, kept as young: the first sight of that pair (a
   * frame built in an uncached run is not one; nothing is remembered then anyway).
   */
  firstSight = false;

  /** Whether frames are being built without the table (then nothing is remembered or predicted). */
  get uncached(): boolean {
    return this.uncachedLeft > 0;
  }

  /**
   * A run of frame pairs starts: a goroutine's first pair after the header tail entry `head` (in an
   * uncached run its skeleton is predicted as the one that came first after that tail last time), or
   * another run (`head` undefined: after an elision marker, or in an ancestor's stack).
   */
  startRun(head: object | undefined): void {
    this.skeletons.startRun(this.uncachedLeft > 0 ? head : undefined);
  }

  /**
   * In an uncached run: when the pair at `pos` has the skeleton of the one that followed the last
   * pair's skeleton last time (Skeletons.match), its end, and its frame in `predictedFrame`: the one
   * `frame` would build for its text, counted as `frame` counts it. Otherwise -1.
   */
  pairAt(text: string, pos: number): number {
    if (this.uncachedLeft <= 0) return -1;
    const sk = this.skeletons;
    const e = sk.match(text, pos);
    if (e === -1) return -1;
    this.uncachedLeft--;
    this.firstSight = false;
    this.lastYoung = false;
    const s = sk.matched!;
    this.predictedFrame = makeFrame(s.fn, unsliced(text.substring(pos + s.head.length, sk.argsEnd)), s.loc);
    return e;
  }

  /** The Frame for a FramePair token's text (`FUNC(ARGS)\n\tFILE:LINE ...\n`). */
  frame(image: string): Frame {
    if (this.uncachedLeft > 0) {
      this.uncachedLeft--;
      this.firstSight = false;
      this.lastYoung = false;
      return this.build(image, false, true);
    }
    this.lookups++;
    let f = this.frames.get(image);
    if (f !== undefined) {
      this.hits++;
      this.firstSight = false;
      this.lastYoung = false;
      return f;
    }
    const young = this.young;
    const e = young.get(image);
    if (e !== undefined) {
      this.hits++;
      this.firstSight = false;
      if (++e.hits >= promoteHits) {
        // Interned from now on, under the copy of the text its strings are slices of.
        young.delete(e.key);
        this.frames.set(e.key, e.frame);
        this.lastYoung = false;
      } else {
        this.lastYoung = true;
        this.bodies.noteYoung(e.key, e.frame);
      }
      return e.frame;
    }
    this.firstSight = true;
    this.lastYoung = true;
    const key = unsliced(image);
    f = this.build(key, true);
    if (young.size >= YOUNG_MAX) young.clear();
    young.set(key, { key, frame: f, hits: 0 });
    this.bodies.noteYoung(key, f);
    if (this.lookups - this.hits >= frameTableMax) {
      if (this.hits * 2 < this.lookups) {
        this.uncachedLeft = this.uncachedRun;
        this.uncachedRun = Math.min(this.uncachedRun * 2, 64 * UNCACHED_RUN);
      } else this.uncachedRun = UNCACHED_RUN;
      this.emptyFrames();
    }
    return f;
  }

  /**
   * The text and frame of the pair that followed `prev` last time, when that text starts at `pos` in
   * `text` (counted as a lookup that hit, as `frame` would count it); otherwise undefined. Only keys
   * that end with their newline are remembered, so a match is the whole pair the lexer would take.
   */
  following(prev: Frame, text: string, pos: number): { key: string; frame: Frame } | undefined {
    if (this.uncachedLeft > 0) return undefined;
    return this.matches(this.after.get(prev), text, pos);
  }

  /** `following` for a goroutine's first pair, by the header tail entry `head` (see `first`). */
  firstAfter(head: object, text: string, pos: number): { key: string; frame: Frame } | undefined {
    if (this.uncachedLeft > 0) return undefined;
    const list = this.first.get(head);
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const s = this.matches(list[i], text, pos);
      if (s !== undefined) {
        // The latest first: move the one found to the front.
        for (let j = i; j > 0; j--) list[j] = list[j - 1]!;
        list[0] = s;
        return s;
      }
    }
    return undefined;
  }

  private matches(
    s: { key: string; frame: Frame } | undefined,
    text: string,
    pos: number,
  ): { key: string; frame: Frame } | undefined {
    if (s === undefined) return undefined;
    // Keys end with their newline: one character rules out most other pairs before the compare.
    const l = s.key.length;
    // (Past the text's end: a miss, checked apart so that no read past it is compiled.)
    if (
      pos + l > text.length ||
      text.charCodeAt(pos + l - 1) !== 10 ||
      text.substring(pos, pos + l) !== s.key
    )
      return undefined;
    this.lookups++;
    this.hits++;
    return s;
  }

  /** Remembers that the pair `key` (its frame `next`, just returned by `frame`) followed `prev`. */
  remember(prev: Frame, key: string, next: Frame): void {
    // `next` is the table's own frame for `key` unless it is young or the table is empty: `frame` just
    // emptied it, or is in an uncached run (which starts by emptying it and interns nothing). A young
    // frame predicted here would skip the lookup that counts its hits (and would have been found by
    // the lexer's path, which makes that lookup, until dropped with the young table).
    // Not while most lookups miss (arguments that never repeat): the entries would only cost memory.
    if (
      this.lastYoung ||
      this.frames.size === 0 ||
      this.hits * 2 < this.lookups ||
      key.charCodeAt(key.length - 1) !== 10
    )
      return;
    this.after.set(prev, { key: unsliced(key), frame: next });
  }

  /**
   * Whether something read now may be remembered by the frames it holds (a goroutine's body, see
   * BodyPrediction): not while frames are built without the table or it was just emptied, and, unless
   * `known` (every pair of it was in the table already), as `remember`, not while most lookups miss
   * (arguments that never repeat: it would only cost copies).
   */
  keepsNew(known: boolean): boolean {
    return !(this.uncachedLeft > 0 || this.frames.size === 0 || (!known && this.hits * 2 < this.lookups));
  }

  /**
   * Whether `f`, the frame a remembered body got for the pair `key` when it was young, is still the
   * frame `frame(key)` would return (young or interned since). False when it was dropped with the young
   * table: a lookup would build another frame, so the body must not be used.
   */
  holds(key: string, f: Frame): boolean {
    return this.young.get(key)?.frame === f || this.frames.get(key) === f;
  }

  /**
   * Counts the hit a lookup of `key` would be, for `f` (which `holds`), as that lookup would: a predicted
   * body stands for its pairs' lookups. Whether `f` is interned now (no longer young).
   */
  claim(key: string, f: Frame): boolean {
    const young = this.young;
    const e = young.get(key);
    if (e === undefined || e.frame !== f) return true;
    if (++e.hits < promoteHits) return false;
    young.delete(key);
    this.frames.set(key, f);
    return true;
  }

  /** Counts `n` lookups that hit: the ones the pairs of a predicted body would have made. */
  countHits(n: number): void {
    this.lookups += n;
    this.hits += n;
  }

  /** Remembers that the pair `key` (its frame `next`, just returned by `frame`) came first after `head`. */
  rememberFirst(head: object, key: string, next: Frame): void {
    if (
      this.lastYoung ||
      this.frames.size === 0 ||
      this.hits * 2 < this.lookups ||
      key.charCodeAt(key.length - 1) !== 10
    )
      return;
    let list = this.first.get(head);
    if (list === undefined) {
      if (this.first.size >= FIRST_MAX) this.first.clear();
      list = [];
      this.first.set(head, list);
    }
    const e = { key: unsliced(key), frame: next };
    if (list.length < FIRST_PER_HEAD) list.push(e);
    for (let j = list.length - 1; j > 0; j--) list[j] = list[j - 1]!;
    list[0] = e;
  }

  /**
   * Builds the Frame of a pair; `owned`: `key` is a copy of the text (kept by the caller), so the frame's
   * strings may be slices of it. Otherwise only the arguments are copied (a slice would keep the whole
   * piece of input alive), the rest comes from shared tables.
   */
  private build(key: string, owned: boolean, learn = false): Frame {
    const nl = key.indexOf("\n");
    let e1 = nl === -1 ? key.length : nl;
    e1 = endWithoutBlanks(key, e1);
    let l2 = nl === -1 ? "" : key.slice(nl + 1);
    const whole = l2.endsWith("\n");
    if (whole) l2 = l2.slice(0, -1);
    const loc = this.location(l2);
    let fn: string;
    let args = "";
    let bare = false;
    const lp = key.lastIndexOf("(", e1 - 1);
    if (e1 > 0 && key.charCodeAt(e1 - 1) === 41 && lp > 0) {
      fn = key.slice(0, lp);
      args = key.slice(lp + 1, e1 - 1);
      if (!owned) args = unsliced(args);
    } else {
      fn = key.slice(0, e1);
      bare = true;
    }
    const name = functionName(fn);
    if (learn) this.skeletons.note(bare || !whole || e1 !== nl ? undefined : fn, l2, name, loc);
    if (!bare) return makeFrame(name, args, loc);
    const frame: Frame & { bare?: boolean } = makeFrame(name, args, loc);
    frame.bare = true;
    return frame;
  }

  /**
   * A `created by F [in goroutine N]` token (with its file line when present). The whole text is not
   * interned (it holds the parent's id, different in nearly every goroutine), but its function name
   * and its file line are.
   */
  createdBy(image: string): CreatedBy {
    const nl = image.indexOf("\n");
    let l1 = nl === -1 ? image : image.slice(0, nl);
    l1 = l1.slice(0, endWithoutBlanks(l1, l1.length));
    l1 = l1.slice(11);
    let parentId: number | undefined;
    const ig = l1.lastIndexOf(" in goroutine ");
    if (ig !== -1) {
      parentId = Number(l1.slice(ig + 14));
      l1 = l1.slice(0, ig);
    }
    let l2 = nl === -1 ? "" : image.slice(nl + 1);
    if (l2.endsWith("\n")) l2 = l2.slice(0, -1);
    const loc = l2 === "" ? undefined : this.location(l2);
    return creator(
      functionName(l1),
      loc === undefined ? "" : loc.file,
      loc === undefined ? 0 : loc.line,
      parentId !== undefined && Number.isFinite(parentId) ? parentId : undefined,
      loc?.offset,
      loc?.indent,
    );
  }
}

/** A frame of a pair, its fields always in one order (one shape, whichever path built it). */
function makeFrame(fn: FunctionName, args: string, loc: FileParts): Frame {
  return { fn, args, inlined: args === "...", ...loc };
}

/** A CreatedBy with its fields always added in one order (one shape, the same JSON). */
export function creator(
  fn: CreatedBy["fn"],
  file: string,
  line: number,
  parentId: number | undefined,
  offset: string | undefined,
  indent: string | undefined,
): CreatedBy {
  const c: { -readonly [K in keyof CreatedBy]: CreatedBy[K] } = { fn, file, line };
  if (parentId !== undefined) c.parentId = parentId;
  if (offset !== undefined) c.offset = offset;
  if (indent !== undefined) c.indent = indent;
  return c;
}

/** Splits a file line `\tFILE:LINE [+0xOFF] [fp=.. sp=.. pc=..]` into its parts. */
function fileParts(line: string): {
  file: string;
  line: number;
  offset?: string;
  fp?: string;
  sp?: string;
  pc?: string;
  indent?: string;
} {
  let s = 0;
  while (s < line.length && (line.charCodeAt(s) === 9 || line.charCodeAt(s) === 32)) s++;
  const indent = s === 1 && line.charCodeAt(0) === 9 ? undefined : line.slice(0, s);
  let t = endWithoutBlanks(line, line.length);
  const out: ReturnType<typeof fileParts> = { file: "", line: 0 };
  if (indent !== undefined) out.indent = indent;
  const fp = line.lastIndexOf(" fp=", t);
  if (fp > s) {
    for (const kv of line.slice(fp + 1, t).split(" ")) {
      if (kv.startsWith("fp=")) out.fp = kv.slice(3);
      else if (kv.startsWith("sp=")) out.sp = kv.slice(3);
      else if (kv.startsWith("pc=")) out.pc = kv.slice(3);
    }
    t = fp;
  } else {
    const pc = line.lastIndexOf(" pc=", t);
    if (pc > s) {
      out.pc = line.slice(pc + 4, t);
      t = pc;
    }
  }
  const plus = line.lastIndexOf(" +0x", t);
  if (plus > s) {
    out.offset = line.slice(plus + 2, t);
    t = plus;
  }
  const colon = line.lastIndexOf(":", t);
  out.file = line.slice(s, colon);
  out.line = Number(line.slice(colon + 1, t));
  return out;
}

/** `e` minus the blanks before it: '\r' of CRLF input, spaces and TABs left by copy-paste. */
export function endWithoutBlanks(line: string, e: number): number {
  while (e > 0) {
    const c = line.charCodeAt(e - 1);
    if (c !== 13 && c !== 32 && c !== 9) break;
    e--;
  }
  return e;
}
