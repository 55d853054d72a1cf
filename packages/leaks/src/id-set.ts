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

/** Numbers kept once each, iterated in the order they were first added (as a Set iterates). */
export class IdSet {
  private list: Float64Array;
  /** Open addressing: position in `list` + 1 per slot, 0 when empty; at most half full. */
  private table: Int32Array;
  size = 0;

  constructor(values?: ArrayLike<number>) {
    const n = values?.length ?? 0;
    this.list = new Float64Array(Math.max(8, n));
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.table = new Int32Array(cap);
    if (values) for (let i = 0; i < n; i++) this.add(values[i]!);
  }

  /** The slot holding `v`, or the empty slot where it would go. */
  private slot(v: number): number {
    const mask = this.table.length - 1;
    let s = hash(v) & mask;
    for (;;) {
      const p = this.table[s]!;
      if (p === 0 || this.list[p - 1] === v) return s;
      s = (s + 1) & mask;
    }
  }

  has(v: number): boolean {
    return this.table[this.slot(v)] !== 0;
  }

  add(v: number): this {
    const s = this.slot(v);
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
    this.table = new Int32Array(cap);
    const mask = cap - 1;
    for (let i = 0; i < this.size; i++) {
      let s = hash(this.list[i]!) & mask;
      while (this.table[s] !== 0) s = (s + 1) & mask;
      this.table[s] = i + 1;
    }
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
  /** Open addressing: position in `ids` + 1 per slot, 0 when empty; at most half full. */
  private readonly table: Int32Array;

  constructor(private readonly ids: ArrayLike<number>) {
    let cap = 16;
    while (cap < ids.length * 2) cap *= 2;
    const table = new Int32Array(cap);
    const mask = cap - 1;
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i]!;
      let s = hash(v) & mask;
      for (;;) {
        const p = table[s]!;
        if (p === 0 || ids[p - 1] === v) break;
        s = (s + 1) & mask;
      }
      // A later position replaces an earlier one: the last goroutine seen with an id wins.
      table[s] = i + 1;
    }
    this.table = table;
  }

  /** The last position of `id`, or -1. */
  last(id: number): number {
    const table = this.table;
    const mask = table.length - 1;
    let s = hash(id) & mask;
    for (;;) {
      const p = table[s]!;
      if (p === 0) return -1;
      if (this.ids[p - 1] === id) return p - 1;
      s = (s + 1) & mask;
    }
  }
}
