// Matching groups across parts of the input (threads' byte ranges, in input order): a group is known by
// a short key of numbers (its head, then per frame: function, file, line and argument key), built once per
// group and part. The bound on argument variants per stack applies here as in one pass, so a merge folds
// past it as a single pass would.
import type { ArgKeyNumbers } from "./arg-keys.ts";
import { addPart, type Group, type GroupData } from "./group.ts";
import { foldKey, MAX_VARIANTS } from "./variants.ts";
import { ARGS_AT, decodeGroup, FRAME_STRIDE, type StacksPartial } from "./wire.ts";

/** A group and its merge key. */
interface Keyed {
  key: Float64Array;
  group: Group;
}

/** The groups of one stack (head and frame locations, arguments aside): how many variants, and the folded ones. */
interface Stack {
  /** A full key of the stack's first group (its argument keys are not compared). */
  key: Float64Array;
  count: number;
  overflow: Map<string, Group>;
}

export class GroupMerger {
  /** Names (heads, functions, files) numbered. */
  private readonly names = new Map<string, number>();
  /** The key being built: keyNums[0..len). */
  private keyNums = new Float64Array(256);
  private readonly byHash = new Map<number, Keyed[]>();
  private readonly keyed = new Set<Group>();
  /** Stacks by a hash of the key without its argument keys. */
  private readonly stacks = new Map<number, Stack[]>();

  constructor(private readonly args: ArgKeyNumbers) {}

  private nameId(x: string): number {
    let i = this.names.get(x);
    if (i === undefined) {
      i = this.names.size;
      this.names.set(x, i);
    }
    return i;
  }

  /** What besides the frames tells two groups apart: state class (or profile), creator site, elisions. */
  private head(a: Pick<GroupData, "profile" | "stateClass" | "createdBy" | "elided">): string {
    const c = a.createdBy;
    return `${a.profile ? "profile" : a.stateClass}|${c ? `${c.function} ${c.file}:${c.line}` : ""}|${a.elided.map((e) => e.index).join(",")}|`;
  }

  /** Room for a key of `frames` frames; its head number written. */
  private startKey(head: string, frames: number): Float64Array {
    const len = 1 + frames * 4;
    if (len > this.keyNums.length) this.keyNums = new Float64Array(len * 2);
    this.keyNums[0] = this.nameId(head);
    return this.keyNums;
  }

  /** Hashes of keyNums[0..len): the whole key, and the stack (without the argument keys). */
  private hashes(len: number): [number, number] {
    const k = this.keyNums;
    let h = 0x811c9dc5;
    let sh = 0x811c9dc5;
    for (let i = 0; i < len; i++) {
      const x = k[i]! | 0;
      h = Math.imul(h ^ x, 0x01000193);
      if (i === 0 || i % 4 !== 0) sh = Math.imul(sh ^ x, 0x01000193);
    }
    return [h, sh];
  }

  private find(len: number, h: number): Group | undefined {
    const k = this.keyNums;
    for (const { key: m, group } of this.byHash.get(h) ?? []) {
      if (m.length !== len) continue;
      let same = true;
      for (let i = 0; i < len && same; i++) same = m[i] === k[i];
      if (same) return group;
    }
    return undefined;
  }

  /** The stack of the current key (made with no variants when new). */
  private stackOf(len: number, sh: number): Stack {
    const k = this.keyNums;
    let list = this.stacks.get(sh);
    if (list === undefined) this.stacks.set(sh, (list = []));
    for (const s of list) {
      const m = s.key;
      if (m.length !== len || m[0] !== k[0]) continue;
      let same = true;
      for (let i = 1; i < len && same; i += 4)
        same = m[i] === k[i] && m[i + 1] === k[i + 1] && m[i + 2] === k[i + 2];
      if (same) return s;
    }
    const s: Stack = { key: k.slice(0, len), count: 0, overflow: new Map() };
    list.push(s);
    return s;
  }

  private add(a: Group, len: number, h: number): void {
    let b = this.byHash.get(h);
    if (b === undefined) this.byHash.set(h, (b = []));
    b.push({ key: this.keyNums.slice(0, len), group: a });
    this.keyed.add(a);
  }

  /**
   * Folds part `p` into `order` (the groups so far, in input order; new groups are appended). Groups in
   * `order` not yet known here (made by one pass, or profile records) join the index first.
   */
  merge(p: StacksPartial, order: Group[]): void {
    for (const a of order) {
      if (this.keyed.has(a)) continue;
      const k = this.startKey(this.head(a), a.frames.length);
      const known = a.argKeys;
      for (let i = 0; i < a.frames.length; i++) {
        const f = a.frames[i]!;
        const o = 1 + i * 4;
        k[o] = this.nameId(f.function);
        k[o + 1] = this.nameId(f.file);
        k[o + 2] = f.line;
        k[o + 3] = known !== null ? known[i]! : this.args.of(f.args.text);
      }
      const len = 1 + a.frames.length * 4;
      const [h, sh] = this.hashes(len);
      this.add(a, len, h);
      // As a part's new group would be: past the bound, it is the folded group of its key, which a
      // later part's folded variants must find.
      const v = this.stackOf(len, sh);
      if (v.count < MAX_VARIANTS) v.count++;
      else
        v.overflow.set(
          foldKey(this.args.similarity, a.frames.length, (i) => a.frames[i]!.args.text),
          a,
        );
    }
    // A part's string indexes, translated once per string.
    const name = new Float64Array(p.strings.length).fill(-1);
    const argKey = new Float64Array(p.strings.length).fill(-1);
    // Argument texts that are their own key: a group with the same key has the same text there.
    const isKey = new Uint8Array(p.strings.length);
    for (const g of p.groups) {
      const f = g.frames;
      const frames = f.length / FRAME_STRIDE;
      const argsOf = (i: number): string => p.strings[f[i * FRAME_STRIDE + ARGS_AT]!]!;
      const toFold = (i: number): string | null => {
        const s = f[i * FRAME_STRIDE + ARGS_AT]!;
        return isKey[s] === 1 ? null : p.strings[s]!;
      };
      const k = this.startKey(this.head(g), frames);
      for (let i = 0; i < frames; i++) {
        const w = i * FRAME_STRIDE;
        const o = 1 + i * 4;
        const fn = f[w]!;
        const file = f[w + 2]!;
        const arg = f[w + ARGS_AT]!;
        if (name[fn] === -1) name[fn] = this.nameId(p.strings[fn]!);
        if (name[file] === -1) name[file] = this.nameId(p.strings[file]!);
        if (argKey[arg] === -1) {
          argKey[arg] = this.args.ofPart(p.strings[arg]!);
          if (this.args.lastIsKey) isKey[arg] = 1;
        }
        k[o] = name[fn]!;
        k[o + 1] = name[file]!;
        k[o + 2] = f[w + 3]!;
        k[o + 3] = argKey[arg]!;
      }
      const len = 1 + frames * 4;
      const [h, sh] = this.hashes(len);
      let a = this.find(len, h);
      const sameKey = a !== undefined;
      if (a === undefined) {
        const v = this.stackOf(len, sh);
        let fold: string | null = null;
        if (v.count >= MAX_VARIANTS) {
          fold = foldKey(this.args.similarity, frames, argsOf);
          a = v.overflow.get(fold);
        }
        if (a === undefined) {
          a = decodeGroup(g, p.strings);
          this.add(a, len, h);
          order.push(a);
          if (fold === null) v.count++;
          else v.overflow.set(fold, a);
          continue;
        }
      }
      // A folded group's argument keys are not the part's: every text is folded in.
      addPart(a, g, sameKey ? toFold : argsOf, g.diffs);
    }
  }
}
