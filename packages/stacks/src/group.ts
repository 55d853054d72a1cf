// One group of goroutines as it fills up: what every goroutine adds (its id, state, wait, flags, labels,
// parent) and how a group from another thread's part is added to it. Bounded per group, so memory
// follows the groups and not the goroutines.
import type { Elision, Frame, Goroutine, StateClass } from "@gosleuth/model";
import type { CreatorSite } from "@gosleuth/spawn-graph/internal";
import { addDiffer, type MergedArgs, mergeArgs, NO_DIFFER, type TextCopies, unsliced } from "./args.ts";

/** Distinct parent ids kept per group; beyond it the count says "at least". */
const PARENT_CAP = 10_000;
/**
 * A group's parent ids are collected as a list (a repeat of the last one skipped) and made distinct when
 * the list reaches this length, and at the end: a set per group cost more than the grouping around it,
 * and only the distinct count (and the one id when there is one) is shown.
 */
const PARENT_COMPACT = 2 * PARENT_CAP;
/** Distinct `key=value` labels kept per group. */
const LABEL_CAP = 50;

export interface GroupFrame {
  function: string;
  pkg: string;
  file: string;
  line: number;
  inlined: boolean;
  args: MergedArgs;
}

/** One group as plain data (what a thread sends, and what reports read). */
export interface GroupData {
  /** Stable text key: signature, creator site and the arguments as the similarity level counts them (filled by `result({ keys: true })`, else empty). */
  key: string;
  stateClass: StateClass;
  /** Raw state text → goroutines. */
  states: Record<string, number>;
  count: number;
  /** Goroutine ids in input order (empty for debug=1 profile groups, which have none). */
  ids: number[];
  waitMin: number;
  waitMax: number;
  locked: number;
  leaked: number;
  /** `key=value` → goroutines carrying it (the first LABEL_CAP distinct ones). */
  labels: Record<string, number>;
  /** More distinct labels were seen than are kept. */
  labelsCapped: boolean;
  createdBy: CreatorSite | null;
  parents: number[];
  /** More distinct parents than PARENT_CAP were seen. */
  parentsCapped: boolean;
  frames: GroupFrame[];
  elided: Elision[];
  /** A debug=1/debug=0 profile record (count only, no goroutine ids or states). */
  profile: boolean;
}

/** A group while goroutines are still added: the parents as a list to make distinct, the labels counted. */
export interface Group extends GroupData {
  /** Parent ids, with repeats until compactParents; not added to once parentsCapped. */
  parents: number[];
  /**
   * The argument-key numbers of its frames when this thread's grouper made it from a goroutine (its
   * signature's variants are told apart by them, and the merge of later parts indexes it by them
   * instead of keying every frame's text again); a merge sets it on the groups it indexes; else null.
   * A list of its own, exactly as long as the frames: an Int32Array view cost 96 bytes a group (9.6 MB
   * of `stacks`' heap where 100,000 stacks differ), a list of two numbers about 32.
   */
  argKeys: number[] | null;
  /**
   * What its frames' locations are shared with: the groups one grouper made for one signature and creator
   * site have the same object here (their frames differ in arguments only), so a part sends those
   * locations once; null when not known.
   */
  stack: object | null;
  labelCount: number;
}

// What a group that counts only never fills (addGoroutine with countsOnly returns before them, and a
// part from such a grouper adds none), shared by those groups: about 100 bytes a group otherwise, 10 MB of
// `summary` where 100,000 stacks differ. Frozen: a write by mistake throws instead of reaching every group.
const NO_IDS: number[] = Object.freeze([]) as unknown as number[];
const NO_PARENTS: number[] = Object.freeze([]) as unknown as number[];
const NO_LABELS: Record<string, number> = Object.freeze({}) as Record<string, number>;
// A group's labels until its first one (most goroutines carry none): an empty object each cost 56 bytes
// (5.6 MB of `stacks` where 100,000 stacks differ). What adds a label gets the group's own object first
// (ownLabels); frozen, so a write that did not throws.
const NO_LABELS_YET: Record<string, number> = Object.freeze({}) as Record<string, number>;

/** The group's own labels object, to add to (made at the first label: see NO_LABELS_YET). */
export function ownLabels(a: GroupData): Record<string, number> {
  if (a.labels === NO_LABELS_YET) a.labels = {};
  return a.labels;
}
// The elisions of every group whose first goroutine had none: a group's list is never written after it is
// made (3 MB of `stacks` where 100,000 stacks differ, as an empty list each).
const NO_ELISIONS: Elision[] = Object.freeze([]) as unknown as Elision[];

/**
 * The group a goroutine starts: its frames (arguments as the first of the group has them); `texts`: the
 * grouper's copies of frame texts. `countsOnly`: a group that only counts (see addGoroutine) shares its
 * empty lists.
 */
export function newGroup(
  g: Goroutine,
  site: CreatorSite | null,
  texts: TextCopies,
  countsOnly = false,
): Group {
  const frames: GroupFrame[] = [];
  // Recursion repeats one frame object many times: its copied strings are shared, not copied again.
  let last: Frame | null = null;
  let file = "";
  let args = "";
  for (let i = 0; i < g.frames.length; i++) {
    const f = g.frames[i]!;
    if (last === null || f.file !== last.file) file = texts.of(f.file);
    if (last === null || f.args !== last.args) args = texts.of(f.args);
    last = f;
    frames.push({
      function: f.fn.full,
      pkg: texts.of(f.fn.pkg),
      file,
      line: f.line,
      inlined: f.inlined,
      args: { text: args, differ: NO_DIFFER, all: false },
    });
  }
  const a = emptyGroup({
    key: "",
    stateClass: g.stateClass,
    waitMin: Number.POSITIVE_INFINITY,
    createdBy: site,
    // A copy of exactly its length: a list grown by push from empty has room for 17 frames (152 bytes
    // for a one-frame stack, 15 MB of `summary`'s live heap on a dump of 100,000 distinct stacks), and a
    // group lives to the end of the run.
    frames: frames.slice(),
    elided: g.elided.length === 0 ? NO_ELISIONS : [...g.elided],
    profile: false,
  });
  if (countsOnly) {
    a.ids = NO_IDS;
    a.parents = NO_PARENTS;
    a.labels = NO_LABELS;
  }
  return a;
}

/** A group with no goroutine counted yet: what tells groups apart is given, every tally starts empty. */
export function emptyGroup(
  p: Pick<Group, "key" | "stateClass" | "waitMin" | "createdBy" | "frames" | "elided" | "profile">,
): Group {
  return {
    key: p.key,
    stateClass: p.stateClass,
    states: {},
    count: 0,
    ids: [],
    waitMin: p.waitMin,
    waitMax: 0,
    locked: 0,
    leaked: 0,
    labels: NO_LABELS_YET,
    labelsCapped: false,
    labelCount: 0,
    createdBy: p.createdBy,
    parents: [],
    parentsCapped: false,
    argKeys: null,
    stack: null,
    frames: p.frames,
    elided: p.elided,
    profile: p.profile,
  };
}

/**
 * Folds a goroutine's argument texts into its group's (positions that differ become `*`). `seen`: frames
 * of a goroutine already folded into this group; the same objects at the same positions add nothing.
 */
export function mergeFrameArgs(a: Group, g: Goroutine, seen: readonly Frame[] | null): void {
  for (let i = 0; i < g.frames.length; i++) {
    const f = g.frames[i]!;
    if (seen !== null && f === seen[i]) continue;
    const m = a.frames[i]!.args;
    if (f.args !== m.text) mergeArgs(m, f.args);
  }
}

/**
 * Adds a goroutine's id, state, wait, flags, labels and parent to its group. `countsOnly`: the count,
 * states and wait range alone (what `summary`'s largest groups need).
 */
export function addGoroutine(a: Group, g: Goroutine, countsOnly: boolean): void {
  a.count++;
  if (g.waitMinutes < a.waitMin) a.waitMin = g.waitMinutes;
  if (g.waitMinutes > a.waitMax) a.waitMax = g.waitMinutes;
  if (countsOnly) {
    a.states[g.state] = (a.states[g.state] ?? 0) + 1;
    return;
  }
  // A group's first id and parent make lists of one: a list grown from empty by a push has room for 17
  // (152 bytes), and most groups of a dump whose stacks all differ keep one of each (30 MB of `stacks`).
  if (a.ids.length === 0) a.ids = [g.id];
  else a.ids.push(g.id);
  a.states[g.state] = (a.states[g.state] ?? 0) + 1;
  if (g.lockedToThread) a.locked++;
  if (g.leaked) a.leaked++;
  if (g.labels) {
    for (const k in g.labels) {
      const kv = `${k}=${g.labels[k]}`;
      const c = a.labels[kv];
      if (c !== undefined) a.labels[kv] = c + 1;
      else if (a.labelCount < LABEL_CAP) {
        ownLabels(a)[unsliced(kv)] = 1;
        a.labelCount++;
      } else a.labelsCapped = true;
    }
  }
  const p = g.createdBy?.parentId;
  if (p !== undefined && !a.parentsCapped) {
    const l = a.parents;
    if (l.length === 0) a.parents = [p];
    else if (l[l.length - 1] !== p) {
      l.push(p);
      if (l.length >= PARENT_COMPACT) compactParents(a);
    }
  }
}

/**
 * Makes the group's parent list distinct (ascending). Past PARENT_CAP distinct ids (or when `capped`: a
 * part's list was capped already), PARENT_CAP of them are kept and the group is capped: the count shown
 * then is "at least PARENT_CAP" whichever ids they are, so nothing more is collected.
 */
export function compactParents(a: Group, capped = false): readonly number[] {
  const l = a.parents;
  if (l.length > 1) {
    const sorted = Float64Array.from(l).sort();
    let n = 0;
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) l[n++] = sorted[i]!;
    l.length = n;
  }
  if (capped || l.length > PARENT_CAP) {
    a.parentsCapped = true;
    if (l.length > PARENT_CAP) l.length = PARENT_CAP;
  }
  return l;
}

/**
 * Adds the same group as seen in a later part of the input: counts, ids, states, waits, labels and
 * parents (under the same caps as one pass), and which argument positions differ (`args`: the part's
 * argument text per frame, null where it is the group's text for certain; `diffs`: the positions that
 * already differed there).
 */
export function addPart(
  a: Group,
  g: Omit<GroupData, "key" | "frames" | "ids" | "parents"> & {
    ids: ArrayLike<number>;
    parents: ArrayLike<number>;
  },
  args: (frame: number) => string | null,
  diffs: readonly [number, number[] | null][],
): void {
  a.count += g.count;
  const ids = a.ids;
  for (let i = 0; i < g.ids.length; i++) ids.push(g.ids[i]!);
  // Indexed loops and for-in, not entries and destructuring: the iterator objects' shapes made the
  // optimized merge code fall back to the interpreter several times per run.
  const states = g.states;
  for (const k in states) a.states[k] = (a.states[k] ?? 0) + states[k]!;
  a.waitMin = Math.min(a.waitMin, g.waitMin);
  a.waitMax = Math.max(a.waitMax, g.waitMax);
  a.locked += g.locked;
  a.leaked += g.leaked;
  const labels = g.labels;
  for (const k in labels) {
    const v = labels[k]!;
    const c = a.labels[k];
    if (c !== undefined) a.labels[k] = c + v;
    else if (a.labelCount < LABEL_CAP) {
      ownLabels(a)[k] = v;
      a.labelCount++;
    } else a.labelsCapped = true;
  }
  if (g.labelsCapped) a.labelsCapped = true;
  if (!a.parentsCapped) {
    const l = a.parents;
    for (let i = 0; i < g.parents.length; i++) l.push(g.parents[i]!);
    if (g.parentsCapped || l.length >= PARENT_COMPACT) compactParents(a, g.parentsCapped);
  }
  for (let i = 0; i < a.frames.length; i++) {
    const text = args(i);
    if (text === null) continue;
    const m = a.frames[i]!.args;
    if (text !== m.text) mergeArgs(m, text);
  }
  for (let j = 0; j < diffs.length; j++) {
    const [i, d] = diffs[j]!;
    const m = a.frames[i]!.args;
    if (d === null) m.all = true;
    else for (let k = 0; k < d.length; k++) if (!m.differ.includes(d[k]!)) addDiffer(m, d[k]!);
  }
}

/** A group's GroupData fields alone, in their order (a grouper's own group holds more: see Group). */
export function dataFields(a: GroupData | Group): GroupData {
  return reportFields(a, a.key, a.parents);
}

/**
 * GroupData's fields of `a`, with its key and parents given, written out: a rest pattern
 * (`{ labelCount, ...rest }`) made every copy an object with a hidden class of its own, about 670 bytes
 * a group of `stacks --format json`'s heap where 100,000 stacks differ (67 MB).
 */
function reportFields(a: GroupData, key: string, parents: number[]): GroupData {
  return {
    key,
    stateClass: a.stateClass,
    states: a.states,
    count: a.count,
    ids: a.ids,
    waitMin: a.waitMin,
    waitMax: a.waitMax,
    locked: a.locked,
    leaked: a.leaked,
    labels: a.labels,
    labelsCapped: a.labelsCapped,
    createdBy: a.createdBy,
    parents,
    parentsCapped: a.parentsCapped,
    frames: a.frames,
    elided: a.elided,
    profile: a.profile,
  };
}

/** The group as plain data (the parents made distinct). */
export function groupData(a: Group, key: string): GroupData {
  return reportFields(a, key, [...compactParents(a)]);
}
