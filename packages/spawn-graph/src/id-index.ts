// Goroutines found by id without a Map of every goroutine: their ids sorted once, then binary search.
//
// The one place this is done: the aggregated tree finds parents, the spawn view counts orphans, the viewer
// finds goroutines by id. (Leaks looks up only its groups' parents, through a hash of its start-id column,
// `LastPositions` in @gosleuth/leaks, which costs less than sorting every id.)

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

/** Positions of ids in an id column, found by binary search in the ids sorted once. */
export class IdIndex {
  private constructor(
    /** Positions in the column, in id order (ties in position order). */
    private readonly order: Int32Array,
    /** The ids in that order. */
    private readonly sorted: Float64Array,
  ) {}

  /** Indexes a column of ids (goroutine ids, in input order; an id may repeat when dumps were joined). */
  static of(ids: ArrayLike<number>): IdIndex {
    const { order, sorted } = sortById(ids);
    return new IdIndex(order, sorted);
  }

  /** How many positions were indexed. */
  get size(): number {
    return this.sorted.length;
  }

  /** The position of the first entry with this id, or -1. */
  first(id: number): number {
    const k = this.lowerBound(id);
    return k < this.sorted.length && this.sorted[k] === id ? this.order[k]! : -1;
  }

  /** The position of the last entry with this id, or -1. */
  last(id: number): number {
    const k = this.upperBound(id);
    return k > 0 && this.sorted[k - 1] === id ? this.order[k - 1]! : -1;
  }

  /** How many different ids there are. */
  distinct(): number {
    const s = this.sorted;
    let n = 0;
    for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) n++;
    return n;
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
