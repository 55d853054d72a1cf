// Runs the tree layouts in layout-worker.ts, answering with the same maps `treeLayout` and
// `levelRoom` give on the main thread.
import type { LayoutInput, TreeLayoutKind } from "./layout.ts";
import { type DecodedLayout, decodeLayout, type LayoutReply, type LayoutRequest } from "./layout-transfer.ts";

/** Longer than any layout of a dump the viewer can hold; past it the layout is given up on (and redone on the main thread). */
const LAYOUT_TIMEOUT_MS = 60_000;

export class LayoutClient {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, (r: LayoutReply | null) => void>();

  /** Starts the worker ahead of the first layout (its module load is then out of the way). */
  start(): void {
    if (this.worker || typeof Worker === "undefined") return;
    try {
      this.worker = new Worker(new URL("./layout-worker.ts", import.meta.url), {
        type: "module",
        name: "gosleuth-layout",
      });
    } catch {
      return;
    }
    this.worker.onmessage = (e: MessageEvent<LayoutReply>) => {
      const done = this.pending.get(e.data.seq);
      this.pending.delete(e.data.seq);
      done?.(e.data);
    };
    this.worker.onerror = () => this.failAll();
  }

  /** The layout, or null when no worker could run it (the caller lays out on the main thread). */
  async layout(nodes: readonly LayoutInput[], kind: TreeLayoutKind): Promise<DecodedLayout | null> {
    this.start();
    const worker = this.worker;
    if (!worker) return null;
    const seq = ++this.seq;
    const reply = await new Promise<LayoutReply | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        resolve(null);
      }, LAYOUT_TIMEOUT_MS);
      this.pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      const req: LayoutRequest = { seq, nodes, kind };
      worker.postMessage(req);
    });
    return reply ? decodeLayout(nodes, reply) : null;
  }

  private failAll(): void {
    for (const done of this.pending.values()) done(null);
    this.pending.clear();
    this.worker?.terminate();
    this.worker = null;
  }

  kill(): void {
    this.failAll();
  }
}
