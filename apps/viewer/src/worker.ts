// The parsing worker: streams the dump through @gosleuth/parser, keeps every goroutine here, answers the page's queries.
import { incidentViews } from "./adapters.ts";
import { buildDataset } from "./build-dataset.ts";
import type { Dataset } from "./dataset.ts";
import { crashOf, isComplete, racesOf } from "./incident.ts";
import type { DumpHeader, FromWorker, LoadSource, Query, ToWorker } from "./protocol.ts";

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker) => scope.postMessage(m);

let data: Dataset | null = null;
let abort: AbortController | null = null;

/** Counts raw (possibly compressed) bytes so progress is against the file size the user sees. */
function counting(onBytes: (n: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let n = 0;
  return new TransformStream({
    transform(chunk, ctl) {
      n += chunk.byteLength;
      onBytes(n);
      ctl.enqueue(chunk);
    },
  });
}

/** Bytes of compressed input handed to the inflater at a time (see maybeGunzip). */
const GZIP_SLICE = 2048;

/** Gunzips when the first bytes are the gzip magic, whatever the name says. */
async function maybeGunzip(raw: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const reader = raw.getReader();
  const first = await reader.read();
  const head = first.value;
  const gzip = !!head && head.byteLength >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  // Compressed input goes to the inflater in small slices (views, no copies): it decompresses a whole
  // written chunk at once and queues all of its output, so a 64 KiB read of a dump that compresses
  // 60:1 would queue ~4 MB of fresh 64 KiB buffers. Queued that long they outlive the worker's minor
  // GCs and pile up in the old generation until a full GC.
  const slice = gzip ? GZIP_SLICE : Number.POSITIVE_INFINITY;
  let pending: Uint8Array | undefined = head && head.byteLength > 0 ? head : undefined;
  let done = first.done === true;
  const rest = new ReadableStream<Uint8Array>(
    {
      async pull(ctl) {
        while (!pending || pending.byteLength === 0) {
          if (done) {
            ctl.close();
            return;
          }
          const r = await reader.read();
          if (r.done) done = true;
          else pending = r.value;
        }
        if (pending.byteLength <= slice) {
          ctl.enqueue(pending);
          pending = undefined;
        } else {
          ctl.enqueue(pending.subarray(0, slice));
          pending = pending.subarray(slice);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  if (gzip) {
    return rest.pipeThrough(
      new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
  }
  return rest;
}

async function open(
  source: LoadSource,
  signal: AbortSignal,
): Promise<{ stream: ReadableStream<Uint8Array>; name: string; size: number | null }> {
  if (source.kind === "file")
    return { stream: source.file.stream(), name: source.file.name, size: source.file.size };
  if (source.kind === "text") {
    const blob = new Blob([source.text]);
    return { stream: blob.stream(), name: source.name, size: blob.size };
  }
  const url = new URL(source.url, scope.location.href);
  if (url.origin !== scope.location.origin) {
    throw new Error(
      `@gosleuth/viewer: will only load dumps from this page's own origin, not ${url.origin} (nothing leaves your machine)`,
    );
  }
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body)
    throw new Error(`@gosleuth/viewer: could not fetch ${url.pathname}: HTTP ${res.status}`);
  const len = Number(res.headers.get("x-gosleuth-length") ?? res.headers.get("content-length"));
  const header = res.headers.get("x-gosleuth-filename");
  const name = safeDecode(header ?? url.pathname.split("/").pop() ?? "") || "dump";
  return { stream: res.body, name, size: Number.isFinite(len) && len > 0 ? len : null };
}

/** `gosleuth view` sends the file name URI-encoded (headers are ASCII); tolerate a raw one. */
function safeDecode(x: string): string {
  try {
    return decodeURIComponent(x);
  } catch {
    return x;
  }
}

async function load(source: LoadSource): Promise<void> {
  abort?.abort();
  const ctl = new AbortController();
  abort = ctl;
  data = null;
  const started = performance.now();
  let goroutines = 0;
  try {
    const { stream, name, size } = await open(source, ctl.signal);
    let bytes = 0;
    let lastPost = 0;
    const report = (force: boolean) => {
      const now = performance.now();
      if (!force && now - lastPost < 100) return;
      lastPost = now;
      post({ type: "progress", bytes, totalBytes: size, goroutines });
    };
    const counted = stream.pipeThrough(
      counting((n) => {
        bytes = n;
        report(false);
      }),
    );
    const text = await maybeGunzip(counted);
    const built = await buildDataset(text, {
      signal: ctl.signal,
      onItem: (d) => {
        if ((d.size & 1023) === 0) {
          goroutines = d.size;
          report(false);
        }
      },
    });
    if (!built) {
      post({ type: "cancelled" });
      return;
    }
    const { dataset: d, info, groupTotal, notes, first } = built;
    const crash = crashOf(info, first);
    goroutines = d.size;
    report(true);
    const header: DumpHeader = {
      name,
      format: info.format,
      total: d.size > 0 ? d.size : (info.total ?? groupTotal),
      bytes: info.bytes,
      diagnostics: [
        ...notes.map((message) => ({ severity: "warning", line: 0, message })),
        ...info.diagnostics
          .slice(0, 200)
          .map((x) => ({ severity: x.severity, line: x.line, message: x.message })),
      ],
      preamble: info.preamble.lines.slice(0, 50),
      parseMs: Math.round(performance.now() - started),
      complete: isComplete(crash, first),
      crash,
      races: racesOf(info.races),
    };
    data = d;
    const groups = d.groupViews();
    post({
      type: "loaded",
      header,
      nodes: d.nodes,
      groups,
      frameTable: d.frameTable,
      findings: d.findingViews,
      incidents: incidentViews(built.incidents, d.findingViews, groups),
    });
  } catch (e) {
    if (ctl.signal.aborted) {
      post({ type: "cancelled" });
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    post({
      type: "error",
      message: msg.startsWith("@gosleuth/") ? msg : `@gosleuth/viewer: could not read the dump: ${msg}`,
    });
  } finally {
    if (abort === ctl) abort = null;
  }
}

function answer(q: Query): unknown {
  if (!data) throw new Error("@gosleuth/viewer: no dump is loaded yet");
  switch (q.kind) {
    case "goroutine":
      return data.goroutine(q.id);
    case "members":
      return data.membersOf(q.nodeId, q.limit);
    case "search":
      return data.search(q.text, q.limit);
    case "filter":
      return data.filter(q.query);
    case "path":
      return data.path(q.id);
    case "children":
      return data.childrenOfGoroutine(q.id, q.limit);
  }
}

scope.addEventListener("message", (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "load") void load(m.source);
  else if (m.type === "cancel") abort?.abort();
  else if (m.type === "query") {
    try {
      post({ type: "result", qid: m.qid, result: answer(m.query) });
    } catch (err) {
      post({
        type: "result",
        qid: m.qid,
        result: null,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
});
