// Groups as they travel between threads: frames as numbers into the part's string table. A group's
// frames repeat the same names in every range, and objects per frame made the copy between threads
// cost more than the grouping.
import type { Goroutine } from "@gosleuth/model";
import { newMergedArgs } from "./args.ts";
import type { Group, GroupData, GroupFrame } from "./group.ts";

export interface WireGroup extends Omit<GroupData, "key" | "frames"> {
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
}

export const FRAME_STRIDE = 6;
/** Where a frame's argument text index sits among its FRAME_STRIDE numbers. */
export const ARGS_AT = 5;

/** Groups as wire groups and the string table their frames index. */
export function encodeGroups(order: readonly Group[]): { strings: string[]; groups: WireGroup[] } {
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
  const groups = order.map((a): WireGroup => {
    const { parentSet, labelCount, key, frames, ...rest } = a;
    const enc = new Float64Array(frames.length * FRAME_STRIDE);
    const diffs: [number, number[] | null][] = [];
    frames.forEach((f, i) => {
      const o = i * FRAME_STRIDE;
      enc[o] = idx(f.function);
      enc[o + 1] = idx(f.pkg);
      enc[o + 2] = idx(f.file);
      enc[o + 3] = f.line;
      enc[o + 4] = f.inlined ? 1 : 0;
      enc[o + ARGS_AT] = idx(f.args.text);
      if (f.args.all) diffs.push([i, null]);
      else if (f.args.differ.length > 0) diffs.push([i, f.args.differ]);
    });
    return { ...rest, parents: [...parentSet], frames: enc, diffs };
  });
  return { strings, groups };
}

/** A wire group as a group of this thread. */
export function decodeGroup(g: WireGroup, strings: readonly string[]): Group {
  const { frames: enc, diffs, ...rest } = g;
  const frames: GroupFrame[] = [];
  for (let o = 0; o < enc.length; o += FRAME_STRIDE) {
    frames.push({
      function: strings[enc[o]!]!,
      pkg: strings[enc[o + 1]!]!,
      file: strings[enc[o + 2]!]!,
      line: enc[o + 3]!,
      inlined: enc[o + 4] === 1,
      args: newMergedArgs(strings[enc[o + ARGS_AT]!]!),
    });
  }
  for (const [i, d] of diffs) {
    const m = frames[i]!.args;
    if (d === null) m.all = true;
    else m.differ = [...d];
  }
  return {
    ...rest,
    key: "",
    frames,
    parentSet: new Set(g.parents),
    labelCount: Object.keys(g.labels).length,
  };
}
