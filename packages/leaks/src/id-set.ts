// A set of numbers (goroutine ids) in typed arrays: a group keeps up to thousands of parent ids, and in
// a JavaScript Set each costs a hash-table entry on the heap, which the garbage collector then lets the
// heap grow by several times. Here they live outside the heap, in the order they were first added.

/** Hash of a number (integers below 2^53 mostly; any number works). */
function hash(v: number): number {
  const lo = v | 0;
  const hi = (v / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}

// Both tables below are open addressing over a column of numbers: a slot holds a position in the column + 1,
// 0 when empty, and the table is kept at most half full.

/** A table size (a power of two, at least 16) at most half full with `n` entries. */
function tableSize(n: number): number {
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  return cap;
}

/** The slot of `table` holding a position of `v` in `column`, or the empty slot where it would go. */
function probe(table: Int32Array, column: ArrayLike<number>, v: number): number {
  const mask = table.length - 1;
  let s = hash(v) & mask;
  for (;;) {
    const p = table[s]!;
    if (p === 0 || column[p - 1] === v) return s;
    s = (s + 1) & mask;
  }
}

/** Numbers kept once each, iterated in the order they were first added (as a Set iterates). */
export class IdSet {
  private list: Float64Array;
  /** Positions in `list` (see probe). */
  private table: Int32Array;
  size = 0;

  constructor(values?: ArrayLike<number>) {
    const n = values?.length ?? 0;
    this.list = new Float64Array(Math.max(8, n));
    this.table = new Int32Array(tableSize(n));
    if (values) for (let i = 0; i < n; i++) this.add(values[i]!);
  }

  has(v: number): boolean {
    return this.table[probe(this.table, this.list, v)] !== 0;
  }

  add(v: number): this {
    const s = probe(this.table, this.list, v);
    if (this.table[s] !== 0) return this;
    if (this.size === this.list.length) {
      const l = new Float64Array(Math.ceil(this.list.length * 1.5));
      l.set(this.list);
      this.list = l;
    }
    this.list[this.size++] = v;
    this.table[s] = this.size;
    if (this.size * 2 > this.table.length) this.rehash(this.table.length * 2);
    return this;
  }

  private rehash(cap: number): void {
    const table = new Int32Array(cap);
    // The numbers are distinct, so each probe ends at an empty slot.
    for (let i = 0; i < this.size; i++) table[probe(table, this.list, this.list[i]!)] = i + 1;
    this.table = table;
  }

  /** The numbers in the order first added (a copy: plain data that can cross threads). */
  toArray(): Float64Array {
    return this.list.slice(0, this.size);
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.size; i++) yield this.list[i]!;
  }
}

/**
 * The last position of each id in a column of ids (goroutine ids in input order; an id repeats when
 * dumps were joined), found by hashing: one pass over the column, no sort.
 */
export class LastPositions {
  /** Positions in `ids` (see probe). */
  private readonly table: Int32Array;

  constructor(private readonly ids: ArrayLike<number>) {
    const table = new Int32Array(tableSize(ids.length));
    // A later position replaces an earlier one: the last goroutine seen with an id wins.
    for (let i = 0; i < ids.length; i++) table[probe(table, ids, ids[i]!)] = i + 1;
    this.table = table;
  }

  /** The last position of `id`, or -1. */
  last(id: number): number {
    return this.table[probe(this.table, this.ids, id)]! - 1;
  }
}
