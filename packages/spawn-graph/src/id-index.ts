// Goroutines found by id without a Map of every goroutine: a table with a slot per id when the ids are
// dense (the usual dump), else their ids sorted once and a binary search.
//
// The one place this is done: the aggregated tree finds parents, the spawn view counts orphans, the viewer
// finds goroutines by id. (Leaks looks up only its groups' parents, through `LastPositions` in
// @gosleuth/leaks: a slot per id for dense ids as here, else a hash of its start-id column, which costs less
// than sorting every id.)

/**
 * Indexes of `ids` sorted by id (ties in index order), and the ids in that order. When ids are
 * non-negative integers small enough, each (id, index) pair is packed into one double and sorted by the
 * native numeric sort (on millions of goroutines much faster than a comparator), and the sorted
 * ids are written back into the same array; otherwise a stable comparator sort.
 */
function sortById(ids: ArrayLike<number>): { order: Int32Array; sorted: Float64Array } {
  const n = ids.length;
  const order = new Int32Array(n);
  let bits = 1;
  while (2 ** bits < n) bits++;
  const scale = 2 ** bits;
  let max = 0;
  let packable = true;
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    if (!(v >= 0 && Number.isInteger(v))) {
      packable = false;
      break;
    }
    if (v > max) max = v;
  }
  if (packable && max < 2 ** (53 - bits)) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = ids[i]! * scale + i;
    keys.sort();
    for (let k = 0; k < n; k++) {
      const key = keys[k]!;
      const id = Math.floor(key / scale);
      order[k] = key - id * scale;
      keys[k] = id;
    }
    return { order, sorted: keys };
  }
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ids[a]! - ids[b]! || a - b);
  const sorted = new Float64Array(n);
  for (let k = 0; k < n; k++) sorted[k] = ids[order[k]!]!;
  return { order, sorted };
}

/**
 * Ids at most this many times the number of positions (plus DENSE_SLACK) are indexed by a table with a
 * slot per id instead of a sort: 4 bytes a slot, so never more memory than the sort's 12 bytes a position.
 * Goroutine ids are handed out in increasing order, so a dump's highest id is usually a small multiple of
 * its goroutine count; a long-lived process with few live goroutines and large ids gets the sort.
 */
const DENSE_FACTOR = 3;
const DENSE_SLACK = 1024;

/** How many different values a sorted list holds. */
function distinctSorted(s: Float64Array): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) n++;
  return n;
}

/**
 * For dense ids: each id's first position + 1 (0: absent), filled in one pass, and how many distinct ids.
 * Null when the ids are not all small non-negative integers.
 */
function denseFirst(ids: ArrayLike<number>): { at: Int32Array; distinct: number } | null {
  const n = ids.length;
  const bound = DENSE_FACTOR * n + DENSE_SLACK;
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    // Integers only (`(v | 0) === v` also rules out NaN and ids from 2^31 on).
    if (!(v >= 0 && (v | 0) === v && v < bound)) return null;
    if (v > max) max = v;
  }
  const at = new Int32Array(max + 1);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    if (at[v] === 0) {
      at[v] = i + 1;
      distinct++;
    }
  }
  return { at, distinct };
}

/**
 * Positions of ids in an id column: for dense ids (see DENSE_FACTOR) a table with a slot per id, else the
 * ids sorted once and a binary search.
 */
export class IdIndex {
  /** Dense ids: last positions + 1 by id, made on the first `last` call (most callers ask only `first`). */
  private lastAt: Int32Array | null = null;

  private constructor(
    private readonly ids: ArrayLike<number>,
    /** Dense ids: first positions + 1 by id (0: absent); else null. */
    private readonly firstAt: Int32Array | null,
    private readonly distinctIds: number,
    /** Sorted ids: positions in the column, in id order (ties in position order); else empty. */
    private readonly order: Int32Array,
    /** Sorted ids: the ids in that order; else empty. */
    private readonly sorted: Float64Array,
  ) {}

  /** Indexes a column of ids (goroutine ids, in input order; an id may repeat when dumps were joined). */
  static of(ids: ArrayLike<number>): IdIndex {
    const dense = denseFirst(ids);
    if (dense !== null)
      return new IdIndex(ids, dense.at, dense.distinct, new Int32Array(0), new Float64Array(0));
    const { order, sorted } = sortById(ids);
    return new IdIndex(ids, null, distinctSorted(sorted), order, sorted);
  }

  /** How many positions were indexed. */
  get size(): number {
    return this.ids.length;
  }

  /** The position of the first entry with this id, or -1. */
  first(id: number): number {
    const at = this.firstAt;
    if (at !== null) return id >= 0 && id < at.length && (id | 0) === id ? at[id]! - 1 : -1;
    const k = this.lowerBound(id);
    return k < this.sorted.length && this.sorted[k] === id ? this.order[k]! : -1;
  }

  /** The position of the last entry with this id, or -1. */
  last(id: number): number {
    const at = this.firstAt;
    if (at !== null) {
      if (!(id >= 0 && id < at.length && (id | 0) === id)) return -1;
      if (this.lastAt === null) {
        const l = new Int32Array(at.length);
        for (let i = 0; i < this.ids.length; i++) l[this.ids[i]!] = i + 1;
        this.lastAt = l;
      }
      return this.lastAt[id]! - 1;
    }
    const k = this.upperBound(id);
    return k > 0 && this.sorted[k - 1] === id ? this.order[k - 1]! : -1;
  }

  /** How many different ids there are. */
  distinct(): number {
    return this.distinctIds;
  }

  /** The first sorted slot whose id is not below `id`. */
  private lowerBound(id: number): number {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first sorted slot whose id is above `id`. */
  private upperBound(id: number): number {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
