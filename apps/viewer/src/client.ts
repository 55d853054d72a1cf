// The page's side of the worker protocol: load with progress and cancel, and typed on-demand queries.
import type { FromWorker, Loaded, LoadSource, Query, QueryResults, ToWorker } from "./protocol.ts";

export interface LoadCallbacks {
  onProgress(bytes: number, totalBytes: number | null, goroutines: number): void;
}

export class WorkerClient {
  private readonly worker: Worker;
  private nextQid = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private load: { resolve(v: Loaded | null): void; reject(e: Error): void; cb: LoadCallbacks } | null = null;

  constructor() {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), {
      type: "module",
      name: "gosleuth-parser",
    });
    this.worker.addEventListener("message", (e: MessageEvent<FromWorker>) => this.onMessage(e.data));
    this.worker.addEventListener("error", (e) => {
      const err = new Error(`@gosleuth/viewer: the parsing worker failed: ${e.message || "unknown error"}`);
      this.load?.reject(err);
      this.load = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case "progress":
        this.load?.cb.onProgress(m.bytes, m.totalBytes, m.goroutines);
        return;
      case "loaded":
        this.load?.resolve(m);
        this.load = null;
        return;
      case "cancelled":
        this.load?.resolve(null);
        this.load = null;
        return;
      case "error":
        this.load?.reject(new Error(m.message));
        this.load = null;
        return;
      case "result": {
        const p = this.pending.get(m.qid);
        if (!p) return;
        this.pending.delete(m.qid);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.result);
      }
    }
  }

  /** Resolves with the results, or null when cancelled. */
  open(source: LoadSource, cb: LoadCallbacks): Promise<Loaded | null> {
    this.load?.resolve(null);
    return new Promise((resolve, reject) => {
      this.load = { resolve, reject, cb };
      this.post({ type: "load", source });
    });
  }

  cancel(): void {
    this.post({ type: "cancel" });
  }

  /** No load and no query is waiting for the worker's answer. */
  get idle(): boolean {
    return this.load === null && this.pending.size === 0;
  }

  query<Q extends Query>(query: Q): Promise<QueryResults[Q["kind"]]> {
    const qid = this.nextQid++;
    return new Promise((resolve, reject) => {
      this.pending.set(qid, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ type: "query", qid, query });
    });
  }
}
