// The goroutines waiting for a lock that the lock-order search reads, kept as columns of numbers: a big
// dump has hundreds of thousands of them (100,000 kept by default), and as objects with their pointer
// strings they were most of a leak analysis's heap, which the garbage collector then lets grow several
// times over. Pointers are numbers here and become strings again only when the search asks for them.
import { Growable, NameTable } from "@gosleuth/spawn-graph/internal";
import type { LockWait } from "./lock-order.ts";

/** Where a lock was asked for (the blocking frame): one per signature, shared by its waiters. */
interface LockFrame {
  fn: string;
  file: string;
  line: number;
}

/** LockWaits as plain data (typed arrays, which can be moved between threads). */
export interface LockWaitsPartial {
  sig: Int32Array;
  site: Int32Array;
  frame: Int32Array;
  wait: Float64Array;
  /** The arguments of wait i are args[argEnd[i-1] .. argEnd[i]) (from 0 for i = 0). */
  argEnd: Int32Array;
  args: Float64Array;
  frames: LockFrame[];
  /** Pointers that a double cannot hold exactly, numbered -1, -2, … in the columns. */
  pointers: string[];
}

/** Lock waits in columns; `toArray` gives them back as the LockWait objects lock-order.ts reads. */
export class LockWaits {
  private readonly sig = new Growable(Int32Array);
  private readonly site = new Growable(Int32Array);
  private readonly frame = new Growable(Int32Array);
  private readonly wait = new Growable(Float64Array);
  private readonly argEnd = new Growable(Int32Array);
  private readonly args = new Growable(Float64Array);
  private readonly frames: LockFrame[] = [];
  private readonly frameIds = new Map<string, number>();
  private readonly pointers = new NameTable();

  get length(): number {
    return this.sig.length;
  }

  /** The number of a blocking frame (the same frame gives the same number). */
  frameId(fn: string, file: string, line: number): number {
    const key = `${fn}\n${file}\n${line}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ fn, file, line });
      this.frameIds.set(key, id);
    }
    return id;
  }

  /**
   * A pointer as printed (`0x` and lower-case hex digits, as lock-order.ts keeps them) as a number:
   * its value when the text is exactly what the value prints back to, else -1 - its number in a table.
   */
  private encode(p: string): number {
    if (p.length <= 15 && p.charCodeAt(2) !== 48) return Number.parseInt(p, 16);
    return -1 - this.pointers.id(p);
  }

  private decode(n: number, pointers: readonly string[]): string {
    return n >= 0 ? `0x${n.toString(16)}` : pointers[-1 - n]!;
  }

  /** Another part's encoded pointer as encoded here (only table numbers differ). */
  private remap(n: number, pointers: readonly string[]): number {
    return n >= 0 ? n : this.encode(pointers[-1 - n]!);
  }

  /** Adds one lock wait; `frame` is a frameId. */
  push(sig: number, site: number, frame: number, w: Pick<LockWait, "wait" | "args">): void {
    this.sig.push(sig);
    this.site.push(site);
    this.frame.push(frame);
    this.wait.push(this.encode(w.wait));
    for (const a of w.args) this.args.push(this.encode(a));
    this.argEnd.push(this.args.length);
  }

  /** The columns as plain data (views of this object's buffers: once moved to another thread, use it no more). */
  partial(): LockWaitsPartial {
    return {
      sig: this.sig.view(),
      site: this.site.view(),
      frame: this.frame.view(),
      wait: this.wait.view(),
      argEnd: this.argEnd.view(),
      args: this.args.view(),
      frames: this.frames,
      pointers: this.pointers.names,
    };
  }

  /**
   * Appends another part's lock waits, its signature and site ids mapped to this grouper's (`sigMap`,
   * `siteMap`), until `limit` are kept.
   */
  append(p: LockWaitsPartial, sigMap: ArrayLike<number>, siteMap: ArrayLike<number>, limit: number): void {
    const n = Math.min(p.sig.length, Math.max(0, limit - this.length));
    const frame = p.frames.map((f) => this.frameId(f.fn, f.file, f.line));
    for (let i = 0; i < n; i++) {
      this.sig.push(sigMap[p.sig[i]!]!);
      this.site.push(siteMap[p.site[i]!]!);
      this.frame.push(frame[p.frame[i]!]!);
      this.wait.push(this.remap(p.wait[i]!, p.pointers));
      for (let k = i === 0 ? 0 : p.argEnd[i - 1]!; k < p.argEnd[i]!; k++)
        this.args.push(this.remap(p.args[k]!, p.pointers));
      this.argEnd.push(this.args.length);
    }
  }

  /** The lock waits as objects, in the order added. */
  toArray(): LockWait[] {
    const out: LockWait[] = new Array(this.length);
    const names = this.pointers.names;
    for (let i = 0; i < this.length; i++) {
      const f = this.frames[this.frame.data[i]!]!;
      const args: string[] = [];
      for (let k = i === 0 ? 0 : this.argEnd.data[i - 1]!; k < this.argEnd.data[i]!; k++)
        args.push(this.decode(this.args.data[k]!, names));
      out[i] = {
        sig: this.sig.data[i]!,
        site: this.site.data[i]!,
        fn: f.fn,
        file: f.file,
        line: f.line,
        wait: this.decode(this.wait.data[i]!, names),
        args,
      };
    }
    return out;
  }
}
