// `gosleuth parse --ndjson`: one JSON object per goroutine (or debug=1 group), streamed with backpressure.
import type { StreamItem } from "@gosleuth/model";
import { drainOrClose } from "../format.ts";
import { type FetchOptions, parseInput } from "../input.ts";

function toJson(item: StreamItem): unknown {
  if (item.kind === "group") {
    return {
      kind: "group",
      count: item.count,
      labels: item.labels ?? null,
      frames: item.frames.map((f) => ({
        function: f.fn?.full ?? null,
        file: f.file ?? null,
        line: f.line ?? null,
        pc: f.pc,
      })),
    };
  }
  const g = item;
  return {
    id: g.idText ?? g.id,
    state: g.state,
    stateClass: g.stateClass,
    waitMinutes: g.waitMinutes,
    lockedToThread: g.lockedToThread || undefined,
    leaked: g.leaked || undefined,
    labels: g.labels,
    frames: g.frames.map((f) => ({ function: f.fn.full, file: f.file, line: f.line })),
    elided: g.elided.length > 0 ? g.elided : undefined,
    createdBy: g.createdBy
      ? {
          function: g.createdBy.fn.full,
          file: g.createdBy.file,
          line: g.createdBy.line,
          parentId: g.createdBy.parentId ?? null,
        }
      : null,
    lines: g.lines,
  };
}

export async function parseCommand(input: string, fetchOpts: FetchOptions): Promise<void> {
  const p = await parseInput(input, fetchOpts);
  const out = process.stdout;
  let closed = false;
  out.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") closed = true;
    else throw e;
  });
  let buf = "";
  outer: for await (const batch of p.stream.batches()) {
    for (const item of batch) {
      if (closed) break outer;
      buf += `${JSON.stringify(toJson(item))}\n`;
      if (buf.length > 1 << 16) {
        const ok = out.write(buf);
        buf = "";
        if (!ok && !closed) await drainOrClose(out);
      }
    }
  }
  if (!closed && buf) out.write(buf);
  if (!closed) await p.finish();
}
