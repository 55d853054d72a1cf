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

/** The argument text as it counts for grouping at a similarity level. */
export function argsKey(args: string, level: Similarity): string {
  if (level === "any") return "";
  if (level === "exact") return args;
  return args.replace(ATOM, (m) => (isPointerLike(m) ? "*" : m));
}

/**
 * Arguments of one frame position across a group: the first goroutine's atoms, and which positions
 * have differed since (`all`: the shapes differed, so the whole list is unknown).
 */
export interface MergedArgs {
  /** The first goroutine's argument text. */
  text: string;
  atoms: string[] | null;
  shape: string | null;
  /** Indexes of atoms that differ between goroutines of the group. */
  differ: number[];
  all: boolean;
}

export function newMergedArgs(text: string): MergedArgs {
  return { text, atoms: null, shape: null, differ: [], all: false };
}

/** Folds another goroutine's argument text for the same frame position in. */
export function mergeArgs(m: MergedArgs, text: string): void {
  if (m.all || text === m.text) return;
  if (m.atoms === null || m.shape === null) {
    const s = splitArgs(m.text);
    m.atoms = s.atoms;
    m.shape = s.shape;
  }
  const o = splitArgs(text);
  if (o.shape !== m.shape) {
    m.all = true;
    return;
  }
  for (let i = 0; i < o.atoms.length; i++) {
    if (o.atoms[i] !== m.atoms[i] && !m.differ.includes(i)) m.differ.push(i);
  }
}

/** Folds another group's merged arguments (same frame position) in. */
export function mergeMerged(m: MergedArgs, o: MergedArgs): void {
  mergeArgs(m, o.text);
  if (m.all) return;
  if (o.all) {
    m.all = true;
    return;
  }
  for (const i of o.differ) if (!m.differ.includes(i)) m.differ.push(i);
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
  if (m.all) return [];
  const out: string[] = [];
  let i = 0;
  for (const a of m.text.match(ATOM) ?? []) {
    if (!m.differ.includes(i) && isPointerLike(a)) out.push(a.endsWith("?") ? a.slice(0, -1) : a);
    i++;
  }
  return out;
}
