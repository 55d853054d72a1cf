// `gosleuth fetch`: downloads goroutine dumps from pprof endpoints (once or at an interval), checking they are dumps.

import { once } from "node:events";
import { createWriteStream, renameSync, rmSync, utimesSync } from "node:fs";
import { detectFormat } from "@gosleuth/parser";
import { CliError } from "../errors.ts";
import { n } from "../format.ts";
import { openUrl } from "../http-client.ts";
import type { FetchOptions } from "../input-options.ts";
import { nothingCollected, poll, pollSummary } from "./poll.ts";

/** Reads the profile counts from the `/debug/pprof/` index page (`<td>N</td><td><a href="goroutine?debug=1">goroutine</a>`). */
export function parseIndexCounts(html: string): { name: string; count: number }[] {
  const out: { name: string; count: number }[] = [];
  const re = /<td>\s*(\d+)\s*<\/td>\s*<td>\s*<a href=['"]?([a-z]+)\?debug=1['"]?>/gi;
  for (const m of html.matchAll(re)) out.push({ name: m[2]!, count: Number(m[1]) });
  return out;
}

function decodeHead(head: Uint8Array): string {
  return new TextDecoder().decode(head.subarray(0, 64 * 1024));
}

/** Fetches one URL into a file (or stdout); returns the number of bytes and the detected format. */
export async function fetchOnce(url: string, out: string | undefined, f: FetchOptions, progress: boolean) {
  const { body, date } = await openUrl(url, f);
  const it = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 4096) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    headLen += r.value.length;
  }
  let head = Buffer.concat(chunks);
  const format = detectFormat(head);
  if (format === "unknown") {
    let text = decodeHead(head);
    if (/<html|<!doctype/i.test(text)) {
      // An index page is small; read enough of it to reach the counts table.
      while (!done && headLen < 64 * 1024) {
        const r = await it.next();
        if (r.done) done = true;
        else {
          chunks.push(r.value);
          headLen += r.value.length;
        }
      }
      await it.return?.(undefined);
      head = Buffer.concat(chunks);
      text = decodeHead(head);
      const counts = parseIndexCounts(text);
      if (counts.length > 0) return { bytes: head.length, format: "pprof-index" as const, counts, date };
      throw new CliError(
        `${url}: the server answered with an HTML page, not a goroutine dump (use /debug/pprof/goroutine?debug=2)`,
      );
    }
    await it.return?.(undefined);
    if (head.length === 0) throw new CliError(`${url}: the server answered with an empty body`);
    throw new CliError(`${url}: not a goroutine dump (it starts with ${JSON.stringify(text.slice(0, 40))})`);
  }
  const sink = out ? createWriteStream(out) : process.stdout;
  let bytes = 0;
  let last = 0;
  const write = async (b: Uint8Array) => {
    bytes += b.length;
    if (!sink.write(b)) await once(sink, "drain");
    if (progress && Date.now() - last > 200) {
      last = Date.now();
      process.stderr.write(`\rgosleuth fetch: ${(bytes / 1e6).toFixed(1)} MB`);
    }
  };
  await write(head);
  if (!done) {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      await write(r.value);
    }
  }
  if (out) {
    (sink as ReturnType<typeof createWriteStream>).end();
    await once(sink, "finish");
    // The file's time is when the server answered, so snapshots order (and space) by when they were taken.
    utimesSync(out, date, date);
  }
  if (progress) process.stderr.write("\r\x1b[K");
  return { bytes, format, counts: undefined, date };
}

export async function fetchCommand(
  url: string,
  o: { out?: string; every?: number; count: number },
  f: FetchOptions,
): Promise<void> {
  const count = o.every ? Math.max(1, o.count) : 1;
  if (count > 1 && o.out && !o.out.includes("{n}")) {
    throw new CliError(
      "--out needs {n} in the file name when --count is more than 1, e.g. --out snap-{n}.txt",
    );
  }
  if (count > 1 && !o.out) throw new CliError("--every with --count > 1 needs --out snap-{n}.txt");
  const progress = Boolean(process.stderr.isTTY);
  if (!o.every) {
    const out = o.out?.replace("{n}", "1");
    const r = await fetchOnce(url, out, f, progress && Boolean(out));
    if (r.format === "pprof-index") {
      process.stdout.write(`${url}: pprof index\n`);
      for (const c of r.counts ?? [])
        process.stdout.write(`  ${c.name.padEnd(14)} ${n(c.count).padStart(10)}\n`);
      return;
    }
    if (out) process.stderr.write(`gosleuth fetch: ${out}: ${(r.bytes / 1e6).toFixed(2)} MB, ${r.format}\n`);
    return;
  }
  // A series: a failed fetch is a gap (the files are numbered by snapshot, so the series has no holes), and a
  // file appears only once its fetch is complete.
  let index = false;
  const r = await poll("gosleuth fetch", url, { every: o.every, count }, async (i, _attempt, signal) => {
    const out = o.out?.replace("{n}", String(i));
    const part = out ? `${out}.part` : undefined;
    let got: Awaited<ReturnType<typeof fetchOnce>>;
    try {
      got = await fetchOnce(url, part, { ...f, signal }, progress && Boolean(out));
    } catch (e) {
      if (part) rmSync(part, { force: true });
      throw e;
    }
    if (got.format === "pprof-index") {
      index = true;
      process.stdout.write(`${url}: pprof index\n`);
      for (const c of got.counts ?? [])
        process.stdout.write(`  ${c.name.padEnd(14)} ${n(c.count).padStart(10)}\n`);
      return "stop";
    }
    if (part && out) {
      renameSync(part, out);
      process.stderr.write(`gosleuth fetch: ${out}: ${(got.bytes / 1e6).toFixed(2)} MB, ${got.format}\n`);
    }
  });
  if (index) return;
  if (r.gaps.length > 0 || r.interrupted) process.stderr.write(pollSummary("gosleuth fetch", r));
  if (r.taken === 0) throw nothingCollected(r);
}
