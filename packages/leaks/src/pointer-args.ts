// Pointers in argument texts: read from a frame's text, and made distinct per stack (HoldEvidence counts each
// pointer a goroutine holds once).

/** 2^-32: a product with it is exact (a power of two) and cheaper than a division by 2^32. */
const INV_2_32 = 1 / 4294967296;

/** A multiplicative hash of a pointer whose low and high 32 bits are `lo` and `hi` (its top bits are used). */
export function mix(lo: number, hi: number): number {
  return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
}

/** The high 32 bits of a pointer (pointers print with at most 13 hex digits: exact in a double). */
export function high(v: number): number {
  return Math.floor(v * INV_2_32) >>> 0;
}

/** Stacks with up to this many pointers are made distinct by a linear search (most stacks hold a few). */
const LINEAR_MAX = 16;

/** A table slot for pointer `v` in a table of 2^(32 - shift) slots (the top bits of a multiplicative hash). */
function hashSlot(v: number, shift: number): number {
  return mix(v >>> 0, high(v)) >>> shift;
}

/**
 * Writes the distinct values among the first `n` of `values` into `seen` in the order first seen, and into
 * `seenExact` whether each was printed exactly anywhere; returns how many.
 */
function distinctLinear(
  values: number[],
  exact: boolean[],
  n: number,
  seen: number[],
  seenExact: boolean[],
): number {
  let size = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let k = 0;
    while (k < size && seen[k] !== v) k++;
    if (k === size) {
      seen[size] = v;
      seenExact[size] = false;
      size++;
    }
    // One store for a new pointer and for one seen before (a branch first taken once this function is
    // optimised would throw the optimised code away).
    seenExact[k] = seenExact[k]! || exact[i]!;
  }
  return size;
}

/**
 * An empty array of numbers that holds doubles from the start: pointers are beyond small integers, and an
 * array that changes its kind of elements when the first one is pushed gets a new map, which throws away
 * the optimised code that saw the old one.
 */
export function doubles(): number[] {
  const a = [0.5];
  a.length = 0;
  return a;
}

/** An empty array that holds objects (booleans) from the start (see doubles). */
export function flags(): boolean[] {
  const a = [false];
  a.length = 0;
  return a;
}

/**
 * Writes every pointer argument in `args` (`0xc000123450`, `{0xc0001, 0x2}`, `0x4b2f60?`; at least six hex
 * digits: smaller values are lengths, flags and counts) into `values` from position `n` on, and whether it
 * was printed without `?` (a `?` value may be a stale register spill) into `exact`; returns the position
 * after the last one written. The lists are reused and never shortened (setting an array's length is a
 * call into the runtime, once per changed stack and list).
 */
export function scan(args: string, values: number[], exact: boolean[], n: number): number {
  // A plain loop rather than indexOf("0x"): a call per pointer cost more than reading the characters
  // (texts are short). A pointer needs "0x" and six digits: none starts in the last seven characters.
  const last = args.length - 8;
  let at = 0;
  while (at <= last) {
    if (args.charCodeAt(at) !== 48 || args.charCodeAt(at + 1) !== 120) {
      at++;
      continue;
    }
    let end = at + 2;
    let value = 0;
    for (; end < args.length; end++) {
      const c = args.charCodeAt(end);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) break;
      value = value * 16 + d;
    }
    const digits = end - at - 2;
    if (digits >= 6 && digits <= 13) {
      values[n] = value;
      exact[n] = end === args.length || args.charCodeAt(end) !== 63;
      n++;
    }
    at = end;
  }
  return n;
}

/** Makes the first `n` pointers of a stack distinct (the tables it needs are kept and reused). */
export class DistinctPointers {
  /**
   * Writes the distinct values among the first `n` of `values` into `seen` in the order first seen, and
   * into `seenExact` whether each was printed exactly anywhere; returns how many.
   */
  of(values: number[], exact: boolean[], n: number, seen: number[], seenExact: boolean[]): number {
    return n <= LINEAR_MAX
      ? distinctLinear(values, exact, n, seen, seenExact)
      : this.hashed(values, exact, n, seen, seenExact);
  }

  // Where a pointer's index (plus one) is kept by distinctHashed; grown as needed, reused.
  private slots = new Int32Array(256);

  /**
   * distinctLinear's result, by an open-addressing table:
   * a stack of hundreds of pointers (deep recursion whose arguments are all pointers, as in a dump
   * where they all differ) made the linear search quadratic (the 216k unique-arguments dump: 4.08 M
   * pointers in 209k stacks, 1.34 s of readStack's own time in `leaks`).
   */
  private hashed(
    values: number[],
    exact: boolean[],
    n: number,
    seen: number[],
    seenExact: boolean[],
  ): number {
    let cap = 64;
    while (cap < 2 * n) cap *= 2;
    if (this.slots.length < cap) this.slots = new Int32Array(cap);
    const slots = this.slots;
    slots.fill(0, 0, cap);
    const mask = cap - 1;
    const shift = Math.clz32(cap) + 1;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      let h = hashSlot(v, shift);
      let k = -1;
      for (;;) {
        const at = slots[h]!;
        if (at === 0) {
          k = size;
          seen[size] = v;
          seenExact[size] = false;
          size++;
          slots[h] = size;
          break;
        }
        if (seen[at - 1] === v) {
          k = at - 1;
          break;
        }
        h = (h + 1) & mask;
      }
      seenExact[k] = seenExact[k]! || exact[i]!;
    }
    return size;
  }
}
