// Groups as they travel between threads: frames as numbers into the part's string table. A group's
// frames repeat the same names in every range, and objects per frame made the copy between threads
// cost more than the grouping. The groups of one stack (signature and creator site) differ in their
// arguments only, and a deep stack has hundreds of argument variants in a range: its locations are
// sent once, and each group sends one number a frame, its argument text.
import type { Goroutine } from "@gosleuth/model";
import { NO_DIFFER } from "./args.ts";
import { compactParents, type Group, type GroupData, type GroupFrame } from "./group.ts";

export interface WireGroup extends Omit<GroupData, "key" | "frames" | "ids" | "parents"> {
  /** Goroutine ids in input order (numbers in a typed array copy as one block between threads). */
  ids: Float64Array;
  /** Distinct parent ids. */
  parents: Float64Array;
  /** Its frames' locations: an index into the part's `stacks`. */
  stack: number;
  /** Per frame: the argument text (a string index). */
  args: Float64Array;
  /** Frames whose arguments differ within the group: [frame index, differing atom indexes, or null: all]. */
  diffs: [number, number[] | null][];
}

/** What one part of a dump adds up to (a thread's byte range, or the whole input), as plain data. */
export interface StacksPartial {
  goroutines: number;
  /** Goroutines the filter left out. */
  filtered: number;
  /** The first goroutine of the first dump in the part. */
  first: Goroutine | null;
  running: { id: number; m?: string }[];
  strings: string[];
  /** Frame locations, FRAME_STRIDE numbers a frame: function, package, file (string indexes), line, inlined. */
  stacks: Float64Array[];
  groups: WireGroup[];
  /**
   * The numbers of every stack and group (the stacks and each group's `args`, `ids` and `parents` are views
   * into it): one buffer to move.
   */
  table: Float64Array;
}

export const FRAME_STRIDE = 5;

/** A stack sent already, for the groups of the same signature and creator site. */
interface SentStack {
  index: number;
  /** Its frames' inlined flags and lines (the signature fixes the rest). */
  frames: readonly GroupFrame[];
}

/** Whether two groups of one signature and creator site print their frames' locations alike. */
function sameLocations(a: readonly GroupFrame[], b: readonly GroupFrame[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.inlined !== y.inlined || x.line !== y.line || x.function !== y.function) return false;
  }
  return true;
}

/** Groups as wire groups and the string table their frames index. */
export function encodeGroups(order: readonly Group[]): {
  strings: string[];
  stacks: Float64Array[];
  groups: WireGroup[];
  table: Float64Array;
} {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const idx = (x: string): number => {
    let i = index.get(x);
    if (i === undefined) {
      i = strings.length;
      strings.push(x);
      index.set(x, i);
    }
    return i;
  };
  // Which stack each group sends its frames' locations with (a group whose stack is unknown: its own).
  const sent = new Map<object, SentStack[]>();
  const stackOf: number[] = new Array(order.length);
  const stackGroups: Group[] = [];
  let size = 0;
  for (let n = 0; n < order.length; n++) {
    const a = order[n]!;
    let s: SentStack | undefined;
    let list: SentStack[] | undefined;
    if (a.stack !== null) {
      list = sent.get(a.stack);
      if (list === undefined) sent.set(a.stack, (list = []));
      s = list.find((c) => sameLocations(c.frames, a.frames));
    }
    if (s === undefined) {
      s = { index: stackGroups.length, frames: a.frames };
      list?.push(s);
      stackGroups.push(a);
      size += a.frames.length * FRAME_STRIDE;
    }
    stackOf[n] = s.index;
    size += a.frames.length + a.ids.length + compactParents(a).length;
  }
  // One table for all numbers: thousands of small typed arrays cost more to make and to move between
  // threads than their numbers do.
  const table = new Float64Array(size);
  let at = 0;
  const view = (n: number): Float64Array => table.subarray(at, (at += n));
  const stacks: Float64Array[] = [];
  for (const a of stackGroups) {
    const frames = a.frames;
    const enc = view(frames.length * FRAME_STRIDE);
    // Neighbouring frames often repeat their names (recursion): those reuse the index just found.
    let fn = "";
    let pkg = "";
    let file = "";
    let fnAt = -1;
    let pkgAt = -1;
    let fileAt = -1;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const o = i * FRAME_STRIDE;
      if (fnAt < 0 || f.function !== fn) fnAt = idx((fn = f.function));
      if (pkgAt < 0 || f.pkg !== pkg) pkgAt = idx((pkg = f.pkg));
      if (fileAt < 0 || f.file !== file) fileAt = idx((file = f.file));
      enc[o] = fnAt;
      enc[o + 1] = pkgAt;
      enc[o + 2] = fileAt;
      enc[o + 3] = f.line;
      enc[o + 4] = f.inlined ? 1 : 0;
    }
    stacks.push(enc);
  }
  const groups: WireGroup[] = [];
  for (let n = 0; n < order.length; n++) {
    const a = order[n]!;
    const frames = a.frames;
    const args = view(frames.length);
    const ids = view(a.ids.length);
    ids.set(a.ids);
    const parents = view(a.parents.length);
    parents.set(a.parents);
    const diffs: [number, number[] | null][] = [];
    let text = "";
    let textAt = -1;
    for (let i = 0; i < frames.length; i++) {
      const m = frames[i]!.args;
      if (textAt < 0 || m.text !== text) textAt = idx((text = m.text));
      args[i] = textAt;
      if (m.all) diffs.push([i, null]);
      else if (m.differ.length > 0) diffs.push([i, m.differ]);
    }
    groups.push({
      stateClass: a.stateClass,
      states: a.states,
      count: a.count,
      ids,
      waitMin: a.waitMin,
      waitMax: a.waitMax,
      locked: a.locked,
      leaked: a.leaked,
      labels: a.labels,
      labelsCapped: a.labelsCapped,
      createdBy: a.createdBy,
      parents,
      parentsCapped: a.parentsCapped,
      elided: a.elided,
      profile: a.profile,
      stack: stackOf[n]!,
      args,
      diffs,
    });
  }
  return { strings, stacks, groups, table };
}

/** A wire group as a group of this thread (`stack`: its stack's numbers). */
export function decodeGroup(g: WireGroup, stack: Float64Array, strings: readonly string[]): Group {
  const frames: GroupFrame[] = [];
  for (let i = 0, o = 0; o < stack.length; i++, o += FRAME_STRIDE) {
    frames.push({
      function: strings[stack[o]!]!,
      pkg: strings[stack[o + 1]!]!,
      file: strings[stack[o + 2]!]!,
      line: stack[o + 3]!,
      inlined: stack[o + 4] === 1,
      // A part's strings are its own (copied between threads, or the groups' own copies): no slice to undo.
      args: { text: strings[g.args[i]!]!, differ: NO_DIFFER, all: false },
    });
  }
  for (const [i, d] of g.diffs) {
    const m = frames[i]!.args;
    if (d === null) m.all = true;
    else m.differ = [...d];
  }
  return {
    key: "",
    stateClass: g.stateClass,
    states: g.states,
    count: g.count,
    ids: Array.from(g.ids),
    waitMin: g.waitMin,
    waitMax: g.waitMax,
    locked: g.locked,
    leaked: g.leaked,
    labels: g.labels,
    labelsCapped: g.labelsCapped,
    labelCount: Object.keys(g.labels).length,
    createdBy: g.createdBy,
    parents: Array.from(g.parents),
    parentsCapped: g.parentsCapped,
    argKeys: null,
    stack: null,
    frames,
    elided: g.elided,
    profile: g.profile,
  };
}
