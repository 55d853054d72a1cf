// Frame arguments as panicparse reads them: atoms (hex or decimal words) inside a fixed shape of braces and
// commas, so two calls of one function can be compared position by position.

/** How closely two goroutines' arguments must agree to share a group. */
export type Similarity = "exact" | "pointers" | "any";
export const SIMILARITIES: readonly Similarity[] = ["exact", "pointers", "any"];

// Values from 8 MiB up are read as addresses (heap, stack, mmap), as panicparse does: smaller words are
// lengths, flags, file descriptors or code addresses of a small binary, which say what a call did.
const POINTER_FLOOR = 0x800000;
const ATOM = /[^\s,{}]+/g;

/** A value printed as a pointer: `0xc000123450`, `0xc000123450?` (a register-ABI guess). */
export function isPointerLike(atom: string): boolean {
  const a = atom.endsWith("?") ? atom.slice(0, -1) : atom;
  if (!/^0x[0-9a-f]{6,16}$/i.test(a)) return false;
  return Number.parseInt(a, 16) >= POINTER_FLOOR;
}

/** The atoms of an argument list and its shape (the list with each atom replaced by `\u0000`). */
export function splitArgs(args: string): { atoms: string[]; shape: string } {
  const atoms: string[] = [];
  const shape = args.replace(ATOM, (m) => {
    atoms.push(m);
    return "\u0000";
  });
  return { atoms, shape };
}

// A whole atom that isPointerLike accepts: 0x and 7 to 16 hex digits, or 6 digits from 0x800000 up, with
// an optional `?`, between separators. One native replace, no callback: this runs on every frame.
const POINTER_ATOM = /(?<![^\s,{])0x(?:[0-9a-fA-F]{7,16}|[89a-fA-F][0-9a-fA-F]{5})\??(?![^\s,}])/g;

/** The argument text as it counts for grouping at a similarity level. */
export function argsKey(args: string, level: Similarity): string {
  if (level === "any") return "";
  if (level === "exact") return args;
  return args.replace(POINTER_ATOM, "*");
}

/**
 * Arguments of one frame position across a group: the first goroutine's atoms, and which positions
 * have differed since (`all`: the shapes differed, so the whole list is unknown).
 */
export interface MergedArgs {
  /** The first goroutine's argument text. */
  text: string;
  /** Indexes of atoms that differ between goroutines of the group. */
  differ: number[];
  all: boolean;
}

/**
 * An unsliced copy of a (possibly sliced) V8 string: a group outlives the parsed piece its first goroutine came
 * from, and must not keep that piece's whole text alive.
 */
export function unsliced(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** Texts a TextCopies keeps; past it, a new text is copied alone. */
const TEXT_COPIES_MAX = 16_384;

/**
 * One copy (see unsliced) per text of what groups keep of their frames (package names, file names,
 * argument texts): where every stack differs, each new group copied its frames' texts again, the two
 * file names of 100,000 one-goroutine groups 200,000 times. Bounded: arguments unique to each goroutine
 * fill it, and then a new text is copied alone, as before.
 */
export class TextCopies {
  private readonly copies = new Map<string, string>();

  of(s: string): string {
    let c = this.copies.get(s);
    if (c === undefined) {
      c = unsliced(s);
      if (this.copies.size < TEXT_COPIES_MAX) this.copies.set(c, c);
    }
    return c;
  }
}

/**
 * The `differ` of arguments that have not differed (most frame positions of most groups), one frozen list
 * for all of them: an empty list each cost 32 bytes a frame (6 MB of `stacks` where 100,000 stacks
 * differ). Written only through addDiffer, which makes a list of its own first.
 */
export const NO_DIFFER: number[] = Object.freeze([]) as unknown as number[];

/** Adds atom index `atom`, not in `m.differ` yet (the callers look first), to `m.differ`. */
export function addDiffer(m: MergedArgs, atom: number): void {
  if (m.differ === NO_DIFFER) m.differ = [atom];
  else m.differ.push(atom);
}

export function newMergedArgs(text: string): MergedArgs {
  return { text: unsliced(text), differ: NO_DIFFER, all: false };
}

/** Whether a[ai..ae) equals b[bi..be), compared in place (no substring per atom). */
function sameRun(a: string, ai: number, ae: number, b: string, bi: number, be: number): boolean {
  if (ae - ai !== be - bi) return false;
  for (let k = 0; k < ae - ai; k++) if (a.charCodeAt(ai + k) !== b.charCodeAt(bi + k)) return false;
  return true;
}

function isSeparator(c: number): boolean {
  // space, comma, braces, tab
  return c === 32 || c === 44 || c === 123 || c === 125 || c === 9;
}

/**
 * Folds another goroutine's argument text for the same frame position in. Walks both texts atom by
 * atom without splitting them (this runs for most goroutines of a server, whose addresses differ).
 */
export function mergeArgs(m: MergedArgs, text: string): void {
  if (m.all || text === m.text) return;
  const a = m.text;
  let i = 0;
  let j = 0;
  let atom = 0;
  while (i < a.length || j < text.length) {
    const ca = i < a.length ? a.charCodeAt(i) : -1;
    const cb = j < text.length ? text.charCodeAt(j) : -1;
    if (ca === -1 || cb === -1 || isSeparator(ca) || isSeparator(cb)) {
      if (ca !== cb) {
        m.all = true;
        return;
      }
      i++;
      j++;
      continue;
    }
    // Both at the start of an atom: compare the two atoms.
    const si = i;
    const sj = j;
    while (i < a.length && !isSeparator(a.charCodeAt(i))) i++;
    while (j < text.length && !isSeparator(text.charCodeAt(j))) j++;
    if (!m.differ.includes(atom) && !sameRun(a, si, i, text, sj, j)) addDiffer(m, atom);
    atom++;
  }
}

/**
 * The arguments as shown for a group: differing positions as `*`, and pointer values that several
 * goroutines share under their short name (`#1`).
 */
export function showArgs(m: MergedArgs, names: ReadonlyMap<string, string>): string {
  if (m.all) return "*";
  if (m.differ.length === 0 && names.size === 0) return m.text;
  let i = 0;
  return m.text.replace(ATOM, (a) => {
    const k = i++;
    if (m.differ.includes(k)) return "*";
    const bare = a.endsWith("?") ? a.slice(0, -1) : a;
    return names.get(bare) ?? a;
  });
}

/** Pointer values of a group's frame that every goroutine of it has (candidates for a short name). */
export function constantPointers(m: MergedArgs): string[] {
  // A pointer value starts 0x (isPointerLike takes 0X too): most argument lists of a deep stack have none.
  if (m.all || !(m.text.includes("0x") || m.text.includes("0X"))) return [];
  const out: string[] = [];
  let i = 0;
  for (const a of m.text.match(ATOM) ?? []) {
    if (!m.differ.includes(i) && isPointerLike(a)) out.push(a.endsWith("?") ? a.slice(0, -1) : a);
    i++;
  }
  return out;
}
