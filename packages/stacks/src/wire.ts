// Groups as they travel between threads: frames as numbers into the part's string table. A group's
// frames repeat the same names in every range, and objects per frame made the copy between threads
// cost more than the grouping.
import type { Goroutine } from "@gosleuth/model";
import { compactParents, type Group, type GroupData, type GroupFrame } from "./group.ts";

export interface WireGroup extends Omit<GroupData, "key" | "frames" | "ids" | "parents"> {
  /** Goroutine ids in input order (numbers in a typed array copy as one block between threads). */
  ids: Float64Array;
  /** Distinct parent ids. */
  parents: Float64Array;
  /** FRAME_STRIDE numbers per frame: function, package, file (string indexes), line, inlined, arguments (index). */
  frames: Float64Array;
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
  groups: WireGroup[];
  /** The numbers of every group (its `frames`, `ids` and `parents` are views into it): one buffer to move. */
  table: Float64Array;
}

export const FRAME_STRIDE = 6;
/** Where a frame's argument text index sits among its FRAME_STRIDE numbers. */
export const ARGS_AT = 5;

/** Groups as wire groups and the string table their frames index. */
export function encodeGroups(order: readonly Group[]): {
  strings: string[];
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
  // One table for all groups' numbers: thousands of small typed arrays cost more to make and to move
  // between threads than their numbers do.
  let size = 0;
  for (const a of order) size += a.frames.length * FRAME_STRIDE + a.ids.length + compactParents(a).length;
  const table = new Float64Array(size);
  let at = 0;
  const view = (n: number): Float64Array => table.subarray(at, (at += n));
  const groups: WireGroup[] = [];
  for (const a of order) {
    const frames = a.frames;
    const enc = view(frames.length * FRAME_STRIDE);
    const ids = view(a.ids.length);
    ids.set(a.ids);
    const parents = view(a.parents.length);
    parents.set(a.parents);
    const diffs: [number, number[] | null][] = [];
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
      enc[o + ARGS_AT] = idx(f.args.text);
      if (f.args.all) diffs.push([i, null]);
      else if (f.args.differ.length > 0) diffs.push([i, f.args.differ]);
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
      frames: enc,
      diffs,
    });
  }
  return { strings, groups, table };
}

/** A wire group as a group of this thread. */
export function decodeGroup(g: WireGroup, strings: readonly string[]): Group {
  const enc = g.frames;
  const frames: GroupFrame[] = [];
  for (let o = 0; o < enc.length; o += FRAME_STRIDE) {
    frames.push({
      function: strings[enc[o]!]!,
      pkg: strings[enc[o + 1]!]!,
      file: strings[enc[o + 2]!]!,
      line: enc[o + 3]!,
      inlined: enc[o + 4] === 1,
      // A part's strings are its own (copied between threads, or the groups' own copies): no slice to undo.
      args: { text: strings[enc[o + ARGS_AT]!]!, differ: [], all: false },
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
    frames,
    elided: g.elided,
    profile: g.profile,
  };
}
