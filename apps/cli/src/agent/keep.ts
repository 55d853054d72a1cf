// --keep DIR: the snapshot that first raised a high finding of a target is saved as evidence, with retention.
import { createHash } from "node:crypto";
import type { WriteStream } from "node:fs";
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { LeakReport } from "@gosleuth/leaks";
import type { Target } from "./targets.ts";

export interface KeepOptions {
  dir: string;
  /** Snapshots kept at most (the oldest go first). */
  maxFiles: number;
  /** Snapshots older than this are removed (ms). */
  maxAgeMs: number;
}

/** A scrape's body being written to disk while it is parsed. */
export interface Spool {
  write(chunk: Uint8Array): void;
  /** Waits for the bytes to be on disk. */
  close(): Promise<void>;
  path: string;
}

const EVIDENCE = /^\d{8}T\d{6}\d{3}Z-.+\.txt$/;

function fileSafe(s: string): string {
  return s.replace(/[^a-zA-Z0-9._-]+/g, "_").slice(0, 80);
}

export class Evidence {
  private readonly spoolDir: string;
  private seq = 0;

  constructor(readonly o: KeepOptions) {
    this.spoolDir = join(o.dir, ".spool");
    mkdirSync(this.spoolDir, { recursive: true });
  }

  spool(): Spool {
    const path = join(this.spoolDir, `${process.pid}-${++this.seq}.part`);
    const out: WriteStream = createWriteStream(path);
    let failed: Error | undefined;
    out.on("error", (e) => {
      failed = e;
    });
    return {
      path,
      write: (c) => {
        if (!failed) out.write(c);
      },
      close: () =>
        new Promise<void>((ok, fail) => {
          if (failed) return fail(failed);
          out.end(() => (failed ? fail(failed) : ok()));
        }),
    };
  }

  discard(s: Spool): void {
    void s.close().finally(() => rmSync(s.path, { force: true }));
  }

  /** Moves the spooled snapshot into the directory with its report beside it; returns the snapshot's path. */
  async save(s: Spool, t: Target, report: LeakReport, takenAt: Date): Promise<string> {
    await s.close();
    const stamp = takenAt.toISOString().replace(/[-:.]/g, "");
    const hash = createHash("sha1").update(t.url).digest("hex").slice(0, 8);
    const base = `${stamp}-${fileSafe(t.labels.instance ?? t.address)}-${hash}`;
    const file = join(this.o.dir, `${base}.txt`);
    renameSync(s.path, file);
    writeFileSync(
      join(this.o.dir, `${base}.json`),
      `${JSON.stringify({ target: { url: t.url, labels: t.labels }, takenAt: takenAt.toISOString(), report }, null, 2)}\n`,
    );
    this.prune();
    return file;
  }

  /** Applies the retention: at most maxFiles snapshots, none older than maxAgeMs. */
  prune(now = Date.now()): void {
    const files = readdirSync(this.o.dir)
      .filter((f) => EVIDENCE.test(f))
      .sort(); // names start with the time taken
    const drop = new Set(files.slice(0, Math.max(0, files.length - this.o.maxFiles)));
    for (const f of files) {
      try {
        if (now - statSync(join(this.o.dir, f)).mtimeMs > this.o.maxAgeMs) drop.add(f);
      } catch {
        drop.add(f);
      }
    }
    for (const f of drop) {
      rmSync(join(this.o.dir, f), { force: true });
      rmSync(join(this.o.dir, f.replace(/\.txt$/, ".json")), { force: true });
    }
  }

  /** Removes what is left in the spool (at stop). */
  close(): void {
    rmSync(this.spoolDir, { recursive: true, force: true });
  }
}
