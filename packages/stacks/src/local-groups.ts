// Finding a goroutine's group within one part of the input: by signature id, then creator site id, then
// the numbers of its frames' argument keys. Groups made here are matched across parts by merge-groups.ts.
import type { Frame, Goroutine } from "@gosleuth/model";
import type { CreatorSite } from "@gosleuth/spawn-graph/internal";
import type { ArgKeyNumbers } from "./arg-keys.ts";
import { type Similarity, TextCopies } from "./args.ts";
import { type Group, mergeFrameArgs, newGroup } from "./group.ts";
import { foldKey, MAX_VARIANTS, variantIn } from "./variants.ts";

/**
 * The groups of one signature and creator site. A class so that every instance has one shape (fields
 * set in one order), which the optimized grouping code relies on.
 */
class SiteGroups {
  /**
   * Variants by a hash of their argument-key numbers (`argKeys`; the candidates are checked number by
   * number, so a hash collision never merges two groups). Made with the first variant stored: at
   * similarity `any` none is, and an empty Map costs 184 bytes (its table is allocated with it), on a
   * dump whose every stack differs 18 MB of `summary`'s 264 MB live.
   */
  byHash: Map<number, Group[]> | null = null;
  /**
   * The first bucket made, and its hash: most signatures and sites have one variant, and a Map with one
   * entry cost 280 bytes with its table (28 MB of `stacks` where 100,000 stacks differ). Later buckets go
   * to byHash.
   */
  firstHash = 0;
  firstBucket: Group[] | null = null;
  lastFrames: readonly Frame[] | null = null;
  /** lastFrames.length, -1 while there is none (a number field: no load from a list not seen yet). */
  lastLength = -1;
  /** The argument-key numbers of lastFrames (its first frames.length entries). */
  lastIds: Int32Array | null = null;
  lastGroup: Group | null = null;
  /** Groups made for this signature and site (argument variants). */
  variants = 0;
  /** Past MAX_VARIANTS: the folded groups, by foldKey. */
  overflow: Map<string, Group> | null = null;

  /** `site`: the creator site id these groups share. */
  constructor(readonly site: number) {}
}

/** Numbers per KeyPool block (256 KiB). */
const KEY_BLOCK = 65_536;

/**
 * Each signature and site's last argument-key numbers (from its second goroutine on) as views of shared
 * blocks: an Int32Array of its own (its buffer and the buffer's memory) cost about 200 bytes for a few
 * numbers; a view of a block costs its object alone. (A group's own numbers are a plain list: keyList.)
 */
class KeyPool {
  private block = new Int32Array(KEY_BLOCK);
  private used = 0;

  /** Room for `n` numbers (zeros), to keep as long as the grouper. */
  take(n: number): Int32Array {
    if (this.used + n > this.block.length) {
      this.block = new Int32Array(Math.max(KEY_BLOCK, n));
      this.used = 0;
    }
    const v = this.block.subarray(this.used, this.used + n);
    this.used += n;
    return v;
  }
}

/** A group's own list of the first `n` numbers of `keys` (see Group.argKeys). */
function keyList(keys: Int32Array, n: number): number[] {
  const k = new Array<number>(n);
  for (let i = 0; i < n; i++) k[i] = keys[i]!;
  return k;
}

export class LocalGroups {
  /**
   * The groups of each signature's first creator site. Most signatures have one site, and a Map per
   * signature (by site) cost 184 bytes each even with one entry: the other sites are in `moreSites`.
   */
  private readonly bySig = new Map<number, SiteGroups>();
  /** The groups of a signature's other creator sites, by signature, then site. */
  private readonly moreSites = new Map<number, Map<number, SiteGroups>>();

  /** Arguments neither tell groups apart (similarity `any`) nor are merged, and groups count only. */
  private readonly countsAny: boolean;
  /**
   * With countsAny: the group of each signature and creator site, by site × 2^24 + signature id (signature
   * ids stay below 2^24, as for leaks' groups and the tree's roots).
   */
  private readonly bySigSite = new Map<number, Group>();
  /** Where groups' argument-key numbers and each site's last ones are kept. */
  private readonly keys = new KeyPool();
  /** The groups' copies of their frames' texts. */
  private readonly texts = new TextCopies();
  /** A first goroutine's argument-key numbers (see groupOf). */
  private scratch = new Int32Array(64);

  /**
   * `args`: numbers the frames' arguments at the grouper's level; `mergeArgs`: whether a goroutine's
   * arguments are folded into its group's (not for counts only); `order`: each new group is pushed onto it
   * (an array, not a callback: a closure per grouper made the call site see a new target in every range).
   */
  constructor(
    private readonly args: ArgKeyNumbers,
    private readonly mergeArgs: boolean,
    private readonly order: Group[],
  ) {
    this.countsAny = args.similarity === "any" && !mergeArgs;
  }

  /** The group of goroutine `g` (signature `sig`, creator site `site`), made when it is the first. */
  groupOf(g: Goroutine, sig: number, site: number, siteData: CreatorSite | null): Group {
    // Arguments do not count and are not merged (`summary`'s groups): one group per signature and site,
    // found by the pair alone. No SiteGroups, and no frames kept to compare with (each site's last frames
    // kept the parser's frame objects, their function names and texts alive: 27 MB of `summary`'s live
    // heap where 100,000 stacks differ). Its `stack` stays null: no other group shares its locations.
    if (this.countsAny) {
      const k = site * 16_777_216 + sig;
      let a = this.bySigSite.get(k);
      if (a === undefined) {
        a = newGroup(g, siteData, this.texts, true);
        this.bySigSite.set(k, a);
        this.order.push(a);
      }
      return a;
    }
    let at = this.bySig.get(sig);
    if (at === undefined) this.bySig.set(sig, (at = new SiteGroups(site)));
    else if (at.site !== site) at = this.otherSite(sig, site);
    const frames = g.frames;
    // The parser shares frame objects between goroutines whose frames print alike: the same objects as
    // the last goroutine of this signature mean the same group and nothing to merge.
    const last = at.lastFrames;
    const sameLength = at.lastLength === frames.length;
    if (sameLength && at.lastGroup !== null) {
      let same = true;
      for (let i = 0; i < frames.length && same; i++) same = frames[i] === last![i];
      if (same) return at.lastGroup;
    }
    const similarity = this.args.similarity;
    const n = similarity === "any" ? 0 : frames.length;
    let a: Group | undefined;
    let bucket: Group[] | undefined;
    let ids = at.lastIds;
    let h = 0x811c9dc5;
    if (n === 0) {
      // Arguments do not count: one group per signature and site.
      a = at.lastGroup ?? undefined;
    } else {
      // Often only a frame or two differ from the last goroutine's (a request's own pointer in the top
      // frame, the rest shared): the others keep the last one's numbers.
      const reuse = sameLength && ids !== null && ids.length >= n;
      if (!reuse && (ids === null || ids.length < n)) {
        // A signature and site's first goroutine reads its numbers into a list of the grouper's, not
        // kept: most signatures of a dump whose stacks all differ have one goroutine, and a kept list
        // is a 96-byte view each (9.6 MB of `stacks` there). The second keeps one.
        if (at.lastGroup === null) {
          if (this.scratch.length < n) this.scratch = new Int32Array(2 * n);
          ids = this.scratch;
        } else ids = at.lastIds = this.keys.take(n);
      }
      for (let i = 0; i < n; i++) {
        const f = frames[i]!;
        if (!reuse || f !== last![i]) ids![i] = this.args.ofFrame(f);
        h = Math.imul(h ^ ids![i]!, 0x01000193);
      }
      bucket = at.firstBucket !== null && at.firstHash === h ? at.firstBucket : at.byHash?.get(h);
      a = variantIn(bucket, ids!, n);
    }
    if (a === undefined && at.variants < MAX_VARIANTS) {
      a = newGroup(g, siteData, this.texts);
      a.stack = at;
      if (n > 0) a.argKeys = keyList(ids!, n);
      at.variants++;
      // A bucket starts with its first group (an empty list would change its element kind on the push).
      if (n > 0) {
        if (bucket !== undefined) bucket.push(a);
        else if (at.firstBucket === null) {
          at.firstHash = h;
          at.firstBucket = [a];
        } else (at.byHash ??= new Map()).set(h, [a]);
      }
      this.order.push(a);
    } else if (a === undefined) {
      // Rare and reached late (past MAX_VARIANTS of one stack): kept out of this function, so that its
      // first use does not invalidate much optimized code.
      a = foldedGroup(
        at,
        g,
        siteData,
        similarity,
        ids,
        n,
        this.order,
        this.mergeArgs,
        sameLength ? last : null,
        this.texts,
      );
    } else if (this.mergeArgs) {
      // Frames that are the last goroutine's objects were folded into its group already.
      mergeFrameArgs(a, g, a === at.lastGroup && sameLength ? last : null);
    }
    // A first goroutine's frames are not kept: where every stack differs, each signature kept its one
    // goroutine's list (room for 17 frames as the parser grows it) for nothing (18 MB of `stacks`' 241
    // MB alive on 100,000 distinct stacks). The second then reads all its frames' arguments, as a new
    // stack does; the lists compared from there on are the same as before.
    if (at.lastGroup !== null) {
      at.lastFrames = frames;
      at.lastLength = frames.length;
    }
    at.lastGroup = a;
    return a;
  }

  /** The groups of signature `sig` from a creator site other than its first (made when new). */
  private otherSite(sig: number, site: number): SiteGroups {
    let bySite = this.moreSites.get(sig);
    if (bySite === undefined) this.moreSites.set(sig, (bySite = new Map()));
    let at = bySite.get(site);
    if (at === undefined) bySite.set(site, (at = new SiteGroups(site)));
    return at;
  }
}

/**
 * Past MAX_VARIANTS: the group goroutine `g` folds into (by foldKey), made and pushed onto `order` when it
 * is the first of its key, else its arguments merged in when `mergeArgs` (`lastFrames`: the frames of the
 * signature's last goroutine when of the same length, already folded into the site's last group).
 */
function foldedGroup(
  at: SiteGroups,
  g: Goroutine,
  siteData: CreatorSite | null,
  similarity: Similarity,
  ids: Int32Array | null,
  n: number,
  order: Group[],
  mergeArgs: boolean,
  lastFrames: readonly Frame[] | null,
  texts: TextCopies,
): Group {
  const frames = g.frames;
  const fold = foldKey(similarity, frames.length, (i) => frames[i]!.args);
  const overflow = (at.overflow ??= new Map());
  const had = overflow.get(fold);
  if (had !== undefined) {
    if (mergeArgs) mergeFrameArgs(had, g, had === at.lastGroup ? lastFrames : null);
    return had;
  }
  const a = newGroup(g, siteData, texts);
  a.stack = at;
  if (n > 0) a.argKeys = keyList(ids!, n);
  overflow.set(fold, a);
  order.push(a);
  return a;
}
