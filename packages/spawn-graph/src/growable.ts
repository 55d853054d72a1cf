// A growable typed array: a few bytes a goroutine per column instead of an object each, so millions
// of goroutines cost tens of megabytes. Shared by the aggregated tree, the CLI's summary and the viewer.

type Numeric = Float64Array | Float32Array | Int32Array | Uint8Array;

/**
 * The growth of a per-goroutine column that needs no thrift (the CLI's consumers: `summary`'s records,
 * the aggregated tree, `leaks`' groups). Each growth copies the column into fresh memory, and a page's
 * first touch is dear; room never written costs no memory. On the 216k bench dump, `--cpu-prof` self time
 * in `reserve` growing by half and by four: 21.7 / 3.5 ms for `summary --threads 1`, 47.7 / 9.7 ms for
 * `tree --threads 1` (tooling/bench/README.md, session 13).
 */
export const FAST_GROWTH = 4;

export class Growable<T extends Numeric> {
  /** The values, with room to spare past `length`. */
  data: T;
  length = 0;

  /**
   * `growth`: the factor by which a full column grows. By half (the default) leaves less slack than doubling
   * when millions of goroutines are recorded; a column that needs no thrift grows by FAST_GROWTH (growing
   * three of `leaks`' columns of 216,017 numbers by half took 35–49 ms in `reserve` on the bench machine,
   * against 6 ms by four: `tooling/bench/README.md`, s11-leaks).
   */
  constructor(
    private readonly Type: { new (n: number): T },
    capacity = 1024,
    growth = 1.5,
  ) {
    this.data = new Type(capacity);
    this.growthPercent = (growth * 100) | 0;
  }

  // The growth factor in hundredths, a small integer for every column: a field that holds a whole number
  // in some columns (FAST_GROWTH) and a fraction in others changes its representation when the second
  // kind is made, and V8 then throws away the optimised code of every function that had met a column of
  // the first kind (`--trace-deopt`: "wrong map" at `reserve`, on the 216k bench dump).
  private readonly growthPercent: number;

  /** The room a full column grows to. */
  private grown(): number {
    return Math.ceil((this.data.length * this.growthPercent) / 100);
  }

  push(v: number): void {
    if (this.length === this.data.length) this.reserve(this.grown() + 16);
    this.data[this.length++] = v;
  }

  /** Room for `n` values in all (untouched room costs no memory until it is written). */
  reserve(n: number): void {
    if (n <= this.data.length) return;
    const d = new this.Type(n);
    d.set(this.data.subarray(0, this.length));
    this.data = d;
  }

  /** Appends many values at once (a typed-array copy). */
  append(values: ArrayLike<number>): void {
    const need = this.length + values.length;
    if (need > this.data.length) this.reserve(Math.max(need, this.grown()));
    this.data.set(values, this.length);
    this.length = need;
  }

  /** Appends `values` mapped through `map` (another builder's dictionary ids to this one's). */
  appendMapped(values: ArrayLike<number>, map: ArrayLike<number>): void {
    const start = this.length;
    this.append(values);
    const d = this.data;
    for (let i = start; i < this.length; i++) d[i] = map[d[i]!]!;
  }

  /** The values (a view, no copy). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/**
 * Goroutine ids (or parent ids, with small negative markers): 4 bytes each while they fit an Int32
 * (real ids do), 8 once one does not (ids beyond 2^31 in damaged or synthetic input), never rounded.
 */
export class IdColumn {
  private col: Growable<Int32Array> | Growable<Float64Array>;
  private wide = false;
  // The growth factor in hundredths (see Growable's growthPercent).
  private readonly growthPercent: number;
  /** `growth`: as Growable's. */
  constructor(growth = 1.5) {
    this.growthPercent = (growth * 100) | 0;
    this.col = new Growable(Int32Array, 1024, growth);
  }
  get length(): number {
    return this.col.length;
  }
  push(v: number): void {
    if (!this.wide && (v | 0) !== v) this.widen();
    this.col.push(v);
  }
  private widen(): void {
    const old = this.col;
    const wide = new Growable(Float64Array, Math.max(4096, old.data.length), this.growthPercent / 100);
    wide.append(old.view());
    this.col = wide;
    this.wide = true;
  }
  /** The values (a view, no copy). */
  view(): Int32Array | Float64Array {
    return this.col.view();
  }
  /** The values with room past `length` (index below `length` only). */
  get data(): Int32Array | Float64Array {
    return this.col.data;
  }
  reserve(n: number): void {
    this.col.reserve(n);
  }
  append(values: Int32Array | Float64Array): void {
    if (!this.wide && !(values instanceof Int32Array)) {
      for (let i = 0; i < values.length; i++) {
        if ((values[i]! | 0) !== values[i]) {
          this.widen();
          break;
        }
      }
    }
    this.col.append(values);
  }
}
