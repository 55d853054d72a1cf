// One scrape of one target: fetch the dump (timeout, size cap), parse it as it streams, feed the target's
// snapshot window, and say in a word why it failed when it did.
import type { WindowScan } from "@gosleuth/leaks";
import { type GoroutineGroup, type StreamItem, startFunctionName } from "@gosleuth/model";
import { parseStream } from "@gosleuth/parser";
import { openUrl } from "../http-client.ts";

/** Why a scrape failed, as the `reason` label of gosleuth_target_up (a small fixed set: bounded series). */
export type FailReason =
  | "timeout"
  | "connection"
  | "http_status"
  | "too_large"
  | "truncated"
  | "not_a_dump"
  | "unsupported"
  | "removed";

export class ScrapeError extends Error {
  constructor(
    readonly reason: FailReason,
    message: string,
  ) {
    super(message);
  }
}

/** A group of one debug=1 (or debug=0) profile: what the agent keeps of it for the group gauges. */
export interface ProfileGroup {
  count: number;
  startFunction: string;
  stack: string;
}

export interface ScrapeResult {
  format: string;
  bytes: number;
  goroutines: number;
  /** debug=1/debug=0 profiles: their groups (no states or waits, so no leak analysis). */
  groups?: ProfileGroup[];
}

export interface ScrapeOptions {
  timeoutMs: number;
  maxBytes: number;
  hostHeader?: string;
  /** Receives every chunk of the body as read (the --keep spool). */
  onChunk?: (chunk: Uint8Array) => void;
}

function failure(message: string): ScrapeError {
  return new ScrapeError(classify(message), oneLine(message));
}

function classify(message: string): FailReason {
  if (/no answer within|did not finish within/.test(message)) return "timeout";
  if (/max-bytes cap/.test(message)) return "too_large";
  if (/HTTP \d{3}/.test(message)) return "http_status";
  if (/before the body ended|gzip transfer is damaged|terminated|premature close/i.test(message))
    return "truncated";
  return "connection";
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").slice(0, 300);
}

/**
 * Scrapes one URL into `scan` (debug=2 goroutines) and returns what was read. Throws a ScrapeError; the
 * scan is then left unfinished (the window does not take a partial snapshot).
 */
export async function scrapeTarget(url: string, o: ScrapeOptions, scan: WindowScan): Promise<ScrapeResult> {
  let bytes = 0;
  let lastByte = -1;
  // The body's first two bytes: a gzip body (a stored `.txt.gz` served as is) is judged by gunzip, which fails
  // on a cut stream, not by its last byte.
  const head: number[] = [];
  let readError: Error | undefined;
  let body: AsyncIterable<Uint8Array>;
  try {
    const fetchOpts = {
      timeoutMs: o.timeoutMs,
      maxBytes: o.maxBytes,
      ...(o.hostHeader && { hostHeader: o.hostHeader }),
    };
    body = (await openUrl(url, fetchOpts)).body;
  } catch (e) {
    throw failure((e as Error).message);
  }
  async function* counted(): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of body) {
        bytes += c.length;
        for (let i = 0; head.length < 2 && i < c.length; i++) head.push(c[i]!);
        if (c.length > 0) lastByte = c[c.length - 1]!;
        o.onChunk?.(c);
        yield c;
      }
    } catch (e) {
      readError = e as Error;
      throw e;
    }
  }
  const stream = parseStream(counted(), { onPiece: (items) => take(items) });
  let goroutines = 0;
  const groups: GoroutineGroup[] = [];
  function take(items: readonly StreamItem[]): void {
    for (const item of items) {
      if (item.kind === "goroutine") {
        goroutines++;
        scan.add(item);
      } else groups.push(item);
    }
  }
  for await (const batch of stream.batches()) take(batch);
  const info = await stream.info;
  if (readError) {
    throw failure(readError.message);
  }
  // A gzip body is unpacked by the parser: a cut one, or one past the parser's size cap, ends its reading with
  // an error diagnostic rather than a thrown error, and what was read must not pass for the whole dump.
  const unread = info.diagnostics.find(
    (d) => d.severity === "error" && /size cap|reading the input failed/.test(d.message),
  );
  if (unread) {
    const message = unread.message.replace(/^@gosleuth\/parser: (line \d+: )?/, "");
    throw new ScrapeError(
      /size cap/.test(message) ? "too_large" : "truncated",
      oneLine(`${url}: ${message}`),
    );
  }
  if (info.format === "unknown") {
    const fatal = info.diagnostics.find((d) => d.severity === "error");
    throw new ScrapeError(
      "not_a_dump",
      oneLine(`${url}: ${(fatal?.message ?? "not a goroutine dump").replace(/^@gosleuth\/parser: /, "")}`),
    );
  }
  if (info.races.length > 0 && goroutines === 0)
    throw new ScrapeError("unsupported", `${url}: a race report, not a goroutine dump`);
  if (groups.length > 0) {
    const total = groups.reduce((a, g) => a + g.count, 0);
    return {
      format: info.format,
      bytes,
      goroutines: info.total ?? total,
      groups: groups.map((g) => ({
        count: g.count,
        startFunction: startFunctionName(g.frames),
        stack: g.frames.map((f) => f.fn?.full ?? f.pc).join("\n"),
      })),
    };
  }
  // A debug=2 body ends with the newline of its last file line; a cut one ends mid-line, or with a goroutine
  // that lost its frames, or with text after the last goroutine.
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const cut =
    (!gzipped && lastByte !== 10) ||
    info.trailer.length > 0 ||
    info.diagnostics.some(
      (d) => d.line >= info.lineCount - 1 && /has no frames|text after the last goroutine/.test(d.message),
    );
  if (cut)
    throw new ScrapeError(
      "truncated",
      `${url}: the dump ends in the middle of a goroutine (${bytes} bytes read): the body was cut short`,
    );
  return { format: info.format, bytes, goroutines };
}
