// Matching groups across parts of the input (threads' byte ranges, in input order): a group is known by
// its stack (its head, then per frame: function, file and line), found once per stack and part, and
// among the stack's groups by its frames' argument keys. The bound on argument variants per stack
// applies here as in one pass, so a merge folds past it as a single pass would.
import type { ArgKeyNumbers } from "./arg-keys.ts";
import { addPart, type Group, type GroupData } from "./group.ts";
import { foldKey, MAX_VARIANTS, variantIn } from "./variants.ts";
import { decodeGroup, FRAME_STRIDE, type StacksPartial } from "./wire.ts";

/** The groups of one stack (head and frame locations, arguments aside). */
interface Stack {
  /** The head's number, then function, file and line per frame. */
  key: Float64Array;
  /** Its groups by a hash of their argument-key numbers (each group's `argKeys`). */
  byArgs: Map<number, Group[]>;
  /** Argument variants made (at most MAX_VARIANTS). */
  count: number;
  overflow: Map<string, Group>;
}

function argsHash(k: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
  return h;
}

export class GroupMerger {
  /** Names (heads, functions, files) numbered. */
  private readonly names = new Map<string, number>();
  /** The key being built: keyNums[0..len). */
  private keyNums = new Float64Array(256);
  private readonly keyed = new Set<Group>();
  /** Stacks by a hash of their key. */
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
    const len = 1 + frames * 3;
    if (len > this.keyNums.length) this.keyNums = new Float64Array(len * 2);
    this.keyNums[0] = this.nameId(head);
    return this.keyNums;
  }

  /** The stack of the key in keyNums[0..len) (made with no groups when new). */
  private stackOf(len: number): Stack {
    const k = this.keyNums;
    let h = 0x811c9dc5;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ (k[i]! | 0), 0x01000193);
    let list = this.stacks.get(h);
    if (list === undefined) this.stacks.set(h, (list = []));
    for (const s of list) {
      const m = s.key;
      if (m.length !== len) continue;
      let same = true;
      for (let i = 0; i < len && same; i++) same = m[i] === k[i];
      if (same) return s;
    }
    const s: Stack = { key: k.slice(0, len), byArgs: new Map(), count: 0, overflow: new Map() };
    list.push(s);
    return s;
  }

  /** Indexes group `a` in stack `s` by its argument-key numbers `keys` (kept as its `argKeys`). */
  private add(s: Stack, a: Group, keys: number[], h: number): void {
    a.argKeys = keys;
    let b = s.byArgs.get(h);
    if (b === undefined) s.byArgs.set(h, (b = []));
    b.push(a);
    this.keyed.add(a);
  }

  /**
   * Folds part `p` into `order` (the groups so far, in input order; new groups are appended). Groups in
   * `order` not yet known here (made by one pass, or profile records) join the index first.
   */
  merge(p: StacksPartial, order: Group[]): void {
    // Groups one grouper made for one signature and creator site have one stack: keyed once.
    const byStack = new Map<object, Stack>();
    for (const a of order) {
      if (this.keyed.has(a)) continue;
      let s = a.stack === null ? undefined : byStack.get(a.stack);
      if (s === undefined) {
        const k = this.startKey(this.head(a), a.frames.length);
        for (let i = 0; i < a.frames.length; i++) {
          const f = a.frames[i]!;
          const o = 1 + i * 3;
          k[o] = this.nameId(f.function);
          k[o + 1] = this.nameId(f.file);
          k[o + 2] = f.line;
        }
        s = this.stackOf(1 + a.frames.length * 3);
        if (a.stack !== null) byStack.set(a.stack, s);
      }
      const keys = a.argKeys ?? a.frames.map((f) => this.args.of(f.args.text));
      this.add(s, a, keys, argsHash(keys));
      // As a part's new group would be: past the bound, it is the folded group of its key, which a
      // later part's folded variants must find.
      if (s.count < MAX_VARIANTS) s.count++;
      else
        s.overflow.set(
          foldKey(this.args.similarity, a.frames.length, (i) => a.frames[i]!.args.text),
          a,
        );
    }
    // A part's string indexes, translated once per string.
    const name = new Float64Array(p.strings.length).fill(-1);
    const argKey = new Float64Array(p.strings.length).fill(-1);
    // Argument texts that are their own key: a group with the same key has the same text there.
    const isKey = new Uint8Array(p.strings.length);
    // The part's stacks as this merger's, found when a group first needs one.
    const stackAt: (Stack | undefined)[] = new Array(p.stacks.length);
    for (const g of p.groups) {
      const args = g.args;
      const frames = args.length;
      let s = stackAt[g.stack];
      if (s === undefined) {
        const f = p.stacks[g.stack]!;
        const k = this.startKey(this.head(g), frames);
        for (let i = 0; i < frames; i++) {
          const w = i * FRAME_STRIDE;
          const o = 1 + i * 3;
          const fn = f[w]!;
          const file = f[w + 2]!;
          if (name[fn] === -1) name[fn] = this.nameId(p.strings[fn]!);
          if (name[file] === -1) name[file] = this.nameId(p.strings[file]!);
          k[o] = name[fn]!;
          k[o + 1] = name[file]!;
          k[o + 2] = f[w + 3]!;
        }
        s = stackAt[g.stack] = this.stackOf(1 + frames * 3);
      }
      const keys = new Int32Array(frames);
      for (let i = 0; i < frames; i++) {
        const arg = args[i]!;
        if (argKey[arg] === -1) {
          argKey[arg] = this.args.ofPart(p.strings[arg]!);
          if (this.args.lastIsKey) isKey[arg] = 1;
        }
        keys[i] = argKey[arg]!;
      }
      const argsOf = (i: number): string => p.strings[args[i]!]!;
      const toFold = (i: number): string | null => {
        const t = args[i]!;
        return isKey[t] === 1 ? null : p.strings[t]!;
      };
      const h = argsHash(keys);
      let a = variantIn(s.byArgs.get(h), keys, frames);
      const sameKey = a !== undefined;
      if (a === undefined) {
        let fold: string | null = null;
        if (s.count >= MAX_VARIANTS) {
          fold = foldKey(this.args.similarity, frames, argsOf);
          a = s.overflow.get(fold);
        }
        if (a === undefined) {
          a = decodeGroup(g, p.stacks[g.stack]!, p.strings);
          this.add(s, a, Array.from(keys), h);
          order.push(a);
          if (fold === null) s.count++;
          else s.overflow.set(fold, a);
          continue;
        }
      }
      // A folded group's argument keys are not the part's: every text is folded in.
      addPart(a, g, sameKey ? toFold : argsOf, g.diffs);
    }
  }
}
