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

/**
 * Bitmap words a set of `size` numbers may use: four words (16 bytes) a number plus 256 (1 KiB), no more
 * than the hash table it replaces (4-byte slots, two to four a number); a lookup is then one read in the
 * bitmap instead of two reads (the slot, then the list) at random places in a table twice as big.
 */
function denseWords(size: number): number {
  return 4 * size + 256;
}

/**
 * The table of a set that has hashed nothing yet: most sets never hash (ids added in increasing order),
 * and an Int32Array of 16 costs 264 bytes with its buffer. Never written (it has no slots).
 */
const NO_TABLE = new Int32Array(0);

/** The list of a set of at most one number (see IdSet.column). Never written (it has no room). */
const NO_LIST = new Float64Array(0);

/** Numbers kept once each, iterated in the order they were first added (as a Set iterates). */
export class IdSet {
  private list: Float64Array;
  /**
   * Positions in `list` (see probe) of its first `hashed` numbers (hash mode: `bits` is null); NO_TABLE
   * until a lookup needs one (see catchUp).
   */
  private table = NO_TABLE;
  /**
   * How many of the numbers are in the table. A number above every one before it is new without a lookup
   * and is only appended: ids often come in increasing order (a group's parents in a dump sorted by id), and
   * then no number is hashed until a smaller one asks for a lookup.
   */
  private hashed = 0;
  /**
   * Dense mode: a bit per number from 0 up (every number kept is a whole number in the bitmap's range).
   * Goroutine ids are dense (a dump's ids stay below a few times its goroutine count), so a group with
   * thousands of parents holds them in a few KiB; on the 216k dump its biggest groups' parents arrive in
   * no order (the runtime's allgs order), and the hash table's random reads in 200 KiB per group were
   * the cost of adding them. A set starts hashed and turns dense when its table grows (see rebuild).
   */
  private bits: Int32Array | null = null;
  /** Every number added is a whole number from 0 to 2^31 - 1 (a bitmap can hold them). */
  private small = true;
  private max = Number.NEGATIVE_INFINITY;
  size = 0;

  constructor(values?: ArrayLike<number>) {
    const n = values?.length ?? 0;
    this.list = n > 1 ? new Float64Array(n) : NO_LIST;
    if (values) for (let i = 0; i < n; i++) this.add(values[i]!);
  }

  /**
   * The list, made when a second number comes or a lookup needs it: a set of one number holds it as `max`
   * only (most groups of a dump whose stacks all differ have one parent, and the list's typed array, its
   * buffer and the buffer's memory cost about 200 bytes: 20 MB of `leaks` over 100,000 groups).
   */
  private column(): Float64Array {
    if (this.list === NO_LIST && this.size > 0) {
      this.list = new Float64Array(8);
      this.list[0] = this.max;
    }
    return this.list;
  }

  has(v: number): boolean {
    const bits = this.bits;
    if (bits !== null) {
      // Every number kept is below the bitmap's end: one out of its range is not kept.
      if ((v | 0) !== v || v < 0 || v >>> 5 >= bits.length) return false;
      return (bits[v >>> 5]! & (1 << (v & 31))) !== 0;
    }
    if (v > this.max) return false;
    this.catchUp();
    return this.table[probe(this.table, this.column(), v)] !== 0;
  }

  add(v: number): this {
    const bits = this.bits;
    if (bits !== null) {
      if ((v | 0) === v && v >= 0 && v >>> 5 < bits.length) {
        const w = v >>> 5;
        const m = 1 << (v & 31);
        if ((bits[w]! & m) !== 0) return this;
        bits[w]! |= m;
        this.append(v);
        return this;
      }
      // Beyond the bitmap: a bigger one if it fits the bound, else the hash table from here on.
      if ((v | 0) === v && v >= 0 && (v >>> 5) + 1 <= denseWords(this.size + 1)) {
        const b = new Int32Array(Math.min(denseWords(this.size + 1), ((v >>> 5) + 1) * 2));
        b.set(bits);
        b[v >>> 5]! |= 1 << (v & 31);
        this.bits = b;
        this.append(v);
        return this;
      }
      this.bits = null;
      this.hashAll(tableSize(this.size + 1));
    }
    if (v > this.max) {
      this.append(v);
      return this;
    }
    this.catchUp();
    const s = probe(this.table, this.column(), v);
    if (this.table[s] !== 0) return this;
    this.append(v);
    this.table[s] = this.size;
    this.hashed = this.size;
    if (this.size * 2 > this.table.length) this.rebuild(this.table.length * 2);
    return this;
  }

  private append(v: number): void {
    if (this.size === 0 && this.list === NO_LIST) {
      // The one number is `max` (see column).
      this.size = 1;
      this.max = v;
      if ((v | 0) !== v || v < 0) this.small = false;
      return;
    }
    const list = this.column();
    if (this.size === list.length) {
      const l = new Float64Array(Math.max(8, Math.ceil(list.length * 1.5)));
      l.set(list);
      this.list = l;
    }
    this.list[this.size++] = v;
    if (v > this.max) this.max = v;
    if ((v | 0) !== v || v < 0) this.small = false;
  }

  /** Puts the numbers appended without a lookup into the table. */
  private catchUp(): void {
    // A table with no slots (NO_TABLE, or a dense set's) is made now: a probe needs an empty slot.
    if (this.hashed === this.size && this.table.length > 0) return;
    this.column();
    if (this.size * 2 > this.table.length || this.table.length === 0) {
      this.hashAll(tableSize(this.size));
      return;
    }
    for (let i = this.hashed; i < this.size; i++)
      this.table[probe(this.table, this.list, this.list[i]!)] = i + 1;
    this.hashed = this.size;
  }

  /** A bigger table, or the bitmap when every number fits one within the bound (see denseWords). */
  private rebuild(cap: number): void {
    const words = (this.max >>> 5) + 1;
    if (this.small && words <= denseWords(this.size)) {
      const bits = new Int32Array(words);
      for (let i = 0; i < this.size; i++) {
        const v = this.list[i]!;
        bits[v >>> 5]! |= 1 << (v & 31);
      }
      this.bits = bits;
      this.table = new Int32Array(0);
      this.hashed = 0;
      return;
    }
    this.hashAll(cap);
  }

  private hashAll(cap: number): void {
    this.column();
    const table = new Int32Array(cap);
    // The numbers are distinct, so each probe ends at an empty slot.
    for (let i = 0; i < this.size; i++) table[probe(table, this.list, this.list[i]!)] = i + 1;
    this.table = table;
    this.hashed = this.size;
  }

  /** The numbers in the order first added (a view, or a copy for a set of one: valid until the next add). */
  view(): Float64Array {
    // A set of one number with no list is not given one (scoring reads every group's parents once).
    if (this.list === NO_LIST) return this.toArray();
    return this.list.subarray(0, this.size);
  }

  /** The numbers in the order first added (a copy: plain data that can cross threads). */
  toArray(): Float64Array {
    if (this.list === NO_LIST) return this.size === 0 ? new Float64Array(0) : Float64Array.of(this.max);
    return this.list.slice(0, this.size);
  }

  *[Symbol.iterator](): IterableIterator<number> {
    const list = this.list === NO_LIST ? this.toArray() : this.list;
    for (let i = 0; i < this.size; i++) yield list[i]!;
  }
}

/**
 * The last position of each id in a column of ids (goroutine ids in input order; an id repeats when
 * dumps were joined), found by hashing: one pass over the column, no sort. When the ids are dense (whole
 * numbers from 0 to at most three times their count plus 1,024, as spawn-graph's IdIndex decides), a slot
 * per id instead: no more memory than the hash table (4 bytes a slot, 2–4 slots an id) and one read a
 * lookup, where the table's probes read the table and then the column at random places (scoring looks up
 * every parent of every group: 88,854 on the 216k dump).
 */
export class LastPositions {
  /** Positions in `ids` (see probe); with `dense`, position + 1 at each id (0: absent). */
  private readonly table: Int32Array;
  private readonly dense: boolean;

  constructor(private readonly ids: ArrayLike<number>) {
    let max = -1;
    let whole = true;
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i]!;
      if ((v | 0) !== v || v < 0) {
        whole = false;
        break;
      }
      if (v > max) max = v;
    }
    this.dense = whole && max <= 3 * ids.length + 1024;
    if (this.dense) {
      const table = new Int32Array(max + 1);
      // A later position replaces an earlier one: the last goroutine seen with an id wins.
      for (let i = 0; i < ids.length; i++) table[ids[i]!] = i + 1;
      this.table = table;
      return;
    }
    const table = new Int32Array(tableSize(ids.length));
    for (let i = 0; i < ids.length; i++) table[probe(table, ids, ids[i]!)] = i + 1;
    this.table = table;
  }

  /** The last position of `id`, or -1. */
  last(id: number): number {
    if (this.dense) return (id | 0) === id && id >= 0 && id < this.table.length ? this.table[id]! - 1 : -1;
    return this.table[probe(this.table, this.ids, id)]! - 1;
  }
}
