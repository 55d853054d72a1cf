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

export class GroupMerger {
  /** Names (heads, functions, files) numbered. */
  private readonly names = new Map<string, number>();
  /** The key being built: keyNums[0..len). */
  private keyNums = new Float64Array(256);
  private readonly byHash = new Map<number, Keyed[]>();
  private readonly keyed = new Set<Group>();
  /** Per stack (head and frame locations): variants kept apart, and the folded ones. */
  private readonly variants = new Map<string, { count: number; overflow: Map<string, Group> }>();

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
  private head(a: Omit<GroupData, "frames" | "key">): string {
    const c = a.createdBy;
    return `${a.profile ? "profile" : a.stateClass}|${c ? `${c.function} ${c.file}:${c.line}` : ""}|${a.elided.map((e) => e.index).join(",")}|`;
  }

  /** Fills keyNums[0..len) and returns [len, hash]. */
  private fillKey(
    head: string,
    frames: number,
    at: (i: number, out: Float64Array, o: number) => void,
  ): [number, number] {
    const len = 1 + frames * 4;
    if (len > this.keyNums.length) this.keyNums = new Float64Array(len * 2);
    const k = this.keyNums;
    k[0] = this.nameId(head);
    for (let i = 0; i < frames; i++) at(i, k, 1 + i * 4);
    let h = 0x811c9dc5;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ (k[i]! | 0), 0x01000193);
    return [len, h];
  }

  /** The stack part of the current key (head and frame locations, without arguments). */
  private stackKey(len: number): string {
    let stack = `${this.keyNums[0]}`;
    for (let i = 1; i < len; i += 4)
      stack += `,${this.keyNums[i]},${this.keyNums[i + 1]},${this.keyNums[i + 2]}`;
    return stack;
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
      const [len, h] = this.fillKey(this.head(a), a.frames.length, (i, k, o) => {
        const f = a.frames[i]!;
        k[o] = this.nameId(f.function);
        k[o + 1] = this.nameId(f.file);
        k[o + 2] = f.line;
        k[o + 3] = this.args.of(f.args.text);
      });
      this.add(a, len, h);
      const stack = this.stackKey(len);
      const v = this.variants.get(stack);
      if (v) v.count++;
      else this.variants.set(stack, { count: 1, overflow: new Map() });
    }
    // A part's string indexes, translated once per string.
    const name = new Float64Array(p.strings.length).fill(-1);
    const argKey = new Float64Array(p.strings.length).fill(-1);
    for (const g of p.groups) {
      const f = g.frames;
      const argsOf = (i: number): string => p.strings[f[i * FRAME_STRIDE + ARGS_AT]!]!;
      const [len, h] = this.fillKey(this.head(g), f.length / FRAME_STRIDE, (i, k, o) => {
        const w = i * FRAME_STRIDE;
        const fn = f[w]!;
        const file = f[w + 2]!;
        const arg = f[w + ARGS_AT]!;
        if (name[fn] === -1) name[fn] = this.nameId(p.strings[fn]!);
        if (name[file] === -1) name[file] = this.nameId(p.strings[file]!);
        if (argKey[arg] === -1) argKey[arg] = this.args.of(p.strings[arg]!);
        k[o] = name[fn]!;
        k[o + 1] = name[file]!;
        k[o + 2] = f[w + 3]!;
        k[o + 3] = argKey[arg]!;
      });
      let a = this.find(len, h);
      if (a === undefined) {
        const stack = this.stackKey(len);
        let v = this.variants.get(stack);
        if (v === undefined) this.variants.set(stack, (v = { count: 0, overflow: new Map() }));
        let fold: string | null = null;
        if (v.count >= MAX_VARIANTS) {
          fold = foldKey(this.args.similarity, f.length / FRAME_STRIDE, argsOf);
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
      addPart(a, g, argsOf, g.diffs);
    }
  }
}
