// Finding a goroutine's group within one part of the input: by signature id, then creator site id, then
// the numbers of its frames' argument keys. Groups made here are matched across parts by merge-groups.ts.
import type { Frame, Goroutine } from "@gosleuth/model";
import type { CreatorSite } from "@gosleuth/spawn-graph/internal";
import type { ArgKeyNumbers } from "./arg-keys.ts";
import { type Group, mergeFrameArgs, newGroup } from "./group.ts";
import { foldKey, MAX_VARIANTS } from "./variants.ts";

/** The groups of one signature and creator site. */
interface SiteGroups {
  /**
   * Variants by a hash of their argument-key numbers (`argKeys`; the candidates are checked number by
   * number, so a hash collision never merges two groups).
   */
  byHash: Map<number, Group[]>;
  lastFrames: readonly Frame[] | null;
  /** The argument-key numbers of lastFrames (its first frames.length entries). */
  lastIds: Int32Array | null;
  lastGroup: Group | null;
  /** Groups made for this signature and site (argument variants). */
  variants: number;
  /** Past MAX_VARIANTS: the folded groups, by foldKey. */
  overflow: Map<string, Group> | null;
}

export class LocalGroups {
  private readonly bySig = new Map<number, Map<number, SiteGroups>>();

  /**
   * `args`: numbers the frames' arguments at the grouper's level; `mergeArgs`: whether a goroutine's
   * arguments are folded into its group's (not for counts only); `made`: receives each new group.
   */
  constructor(
    private readonly args: ArgKeyNumbers,
    private readonly mergeArgs: boolean,
    private readonly made: (group: Group) => void,
  ) {}

  /** The group of goroutine `g` (signature `sig`, creator site `site`), made when it is the first. */
  groupOf(g: Goroutine, sig: number, site: number, siteData: CreatorSite | null): Group {
    let bySite = this.bySig.get(sig);
    if (bySite === undefined) this.bySig.set(sig, (bySite = new Map()));
    let at = bySite.get(site);
    if (at === undefined)
      bySite.set(
        site,
        (at = {
          byHash: new Map(),
          lastFrames: null,
          lastIds: null,
          lastGroup: null,
          variants: 0,
          overflow: null,
        }),
      );
    const frames = g.frames;
    // The parser shares frame objects between goroutines whose frames print alike: the same objects as
    // the last goroutine of this signature mean the same group and nothing to merge.
    const last = at.lastFrames;
    const sameLength = last !== null && last.length === frames.length;
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
    if (n === 0) {
      // Arguments do not count: one group per signature and site.
      a = at.lastGroup ?? undefined;
    } else {
      // Often only a frame or two differ from the last goroutine's (a request's own pointer in the top
      // frame, the rest shared): the others keep the last one's numbers.
      const reuse = sameLength && ids !== null && ids.length >= n;
      if (!reuse && (ids === null || ids.length < n)) ids = at.lastIds = new Int32Array(n);
      let h = 0x811c9dc5;
      for (let i = 0; i < n; i++) {
        const f = frames[i]!;
        if (!reuse || f !== last![i]) ids![i] = this.args.ofFrame(f);
        h = Math.imul(h ^ ids![i]!, 0x01000193);
      }
      bucket = at.byHash.get(h);
      if (bucket === undefined) at.byHash.set(h, (bucket = []));
      for (const c of bucket) {
        const k = c.argKeys!;
        if (k.length !== n) continue;
        let same = true;
        for (let i = 0; i < n && same; i++) same = k[i] === ids![i];
        if (same) {
          a = c;
          break;
        }
      }
    }
    let fold: string | null = null;
    if (a === undefined && at.variants >= MAX_VARIANTS) {
      fold = foldKey(similarity, frames.length, (i) => frames[i]!.args);
      a = (at.overflow ??= new Map()).get(fold);
    }
    if (a === undefined) {
      a = newGroup(g, siteData);
      a.stack = at;
      if (n > 0) a.argKeys = ids!.slice(0, n);
      if (fold === null) {
        at.variants++;
        bucket?.push(a);
      } else at.overflow!.set(fold, a);
      this.made(a);
    } else if (this.mergeArgs) {
      // Frames that are the last goroutine's objects were folded into its group already.
      mergeFrameArgs(a, g, a === at.lastGroup && sameLength ? last : null);
    }
    at.lastFrames = frames;
    at.lastGroup = a;
    return a;
  }
}
