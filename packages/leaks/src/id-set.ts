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
  /** Positions in `list` (see probe) of its first `hashed` numbers. */
  private table = new Int32Array(16);
  /**
   * How many of the numbers are in the table. A number above every one before it is new without a lookup
   * and is only appended: ids often come in increasing order (a group's parents in a dump sorted by id), and
   * then no number is hashed until a smaller one asks for a lookup.
   */
  private hashed = 0;
  private max = Number.NEGATIVE_INFINITY;
  size = 0;

  constructor(values?: ArrayLike<number>) {
    const n = values?.length ?? 0;
    this.list = new Float64Array(Math.max(8, n));
    if (values) for (let i = 0; i < n; i++) this.add(values[i]!);
  }

  has(v: number): boolean {
    if (v > this.max) return false;
    this.catchUp();
    return this.table[probe(this.table, this.list, v)] !== 0;
  }

  add(v: number): this {
    if (v > this.max) {
      this.max = v;
      this.append(v);
      return this;
    }
    this.catchUp();
    const s = probe(this.table, this.list, v);
    if (this.table[s] !== 0) return this;
    this.append(v);
    this.table[s] = this.size;
    this.hashed = this.size;
    if (this.size * 2 > this.table.length) this.rehash(this.table.length * 2);
    return this;
  }

  private append(v: number): void {
    if (this.size === this.list.length) {
      const l = new Float64Array(Math.ceil(this.list.length * 1.5));
      l.set(this.list);
      this.list = l;
    }
    this.list[this.size++] = v;
  }

  /** Puts the numbers appended without a lookup into the table. */
  private catchUp(): void {
    if (this.hashed === this.size) return;
    if (this.size * 2 > this.table.length) {
      this.rehash(tableSize(this.size));
      return;
    }
    for (let i = this.hashed; i < this.size; i++)
      this.table[probe(this.table, this.list, this.list[i]!)] = i + 1;
    this.hashed = this.size;
  }

  private rehash(cap: number): void {
    const table = new Int32Array(cap);
    // The numbers are distinct, so each probe ends at an empty slot.
    for (let i = 0; i < this.size; i++) table[probe(table, this.list, this.list[i]!)] = i + 1;
    this.table = table;
    this.hashed = this.size;
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
