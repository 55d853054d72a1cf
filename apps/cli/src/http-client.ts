// Fetches a URL with node:http/https, sending only the headers chosen here: a browser-like client (Node's
// fetch adds `Sec-Fetch-Mode: cors`) is refused by Caddy's admin endpoint, where most dumps come from.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { createGunzip } from "node:zlib";
import { escapeControl } from "@gosleuth/text";
import { CliError } from "./errors.ts";
import type { FetchOptions } from "./input-options.ts";

/** Redirects followed before giving up (pprof endpoints behind a proxy add one or two). */
export const MAX_REDIRECTS = 5;

export interface UrlBody {
  body: AsyncIterable<Uint8Array>;
  /** The body's length when the server sent one and the transfer is not compressed. */
  size?: number;
  /** When the server says it answered (its Date header), else when the answer arrived. */
  date: Date;
}

class Timeout extends Error {}
class Aborted extends Error {}

/** The server's own error text, short and escaped (it is shown on a terminal). */
async function errorText(res: IncomingMessage): Promise<string> {
  let text = "";
  const encoding = String(res.headers["content-encoding"] ?? "").toLowerCase();
  const body = encoding === "gzip" || encoding === "x-gzip" ? res.pipe(createGunzip()) : res;
  try {
    for await (const chunk of body) {
      text += String(chunk);
      if (text.length > 300) break;
    }
  } catch {
    // The status line already says what went wrong.
  }
  res.destroy();
  const oneLine = text.replace(/\s+/g, " ").trim();
  const json = /^\{"error":\s*"((?:[^"\\]|\\.)*)"/.exec(oneLine);
  const msg = json ? json[1]!.replace(/\\"/g, '"') : oneLine;
  return escapeControl(msg.length > 200 ? `${msg.slice(0, 200)}…` : msg);
}

function forbiddenHint(url: URL, opts: FetchOptions): string {
  if (opts.hostHeader) {
    return `the server refused Host ${escapeControl(opts.hostHeader)}; use a name it allows (Caddy: the admin "origins" list)`;
  }
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `Caddy's admin endpoint answers only the Host names in its "origins", localhost:2019 by default; through a tunnel or another name, try --host-header localhost:${port}`;
}

function connectError(url: string, e: NodeJS.ErrnoException, opts: FetchOptions): CliError {
  if (e instanceof Timeout)
    return new CliError(
      `${url}: no answer within ${opts.timeoutMs / 1000}s (raise --timeout if the dump is big)`,
    );
  if (e instanceof Aborted) return new CliError(`${url}: stopped`);
  if (e.code === "ECONNREFUSED")
    return new CliError(`${url}: connection refused (is the server running and is pprof enabled?)`);
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return new CliError(`${url}: host not found`);
  if (e.code === "ECONNRESET") return new CliError(`${url}: the server closed the connection`);
  return new CliError(`${url}: ${escapeControl(e.message)}`);
}

/**
 * Fetches a URL as a byte stream (gzip transfers unpacked, redirects followed up to MAX_REDIRECTS, the
 * whole exchange bounded by `timeoutMs`, the body by `maxBytes`), turning every failure into a one-line
 * CliError.
 */
export async function openUrl(url: string, opts: FetchOptions): Promise<UrlBody> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new CliError(`${url}: not a valid URL`);
  }
  // One timer covers connecting, redirects and the body, as the --timeout help says.
  let active: { destroy(e: Error): void } | undefined;
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    active?.destroy(e);
  };
  const timer = setTimeout(() => fail(new Timeout()), opts.timeoutMs);
  const onAbort = () => fail(new Aborted());
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const cleanup = () => {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  };

  let res: IncomingMessage;
  let hostHeader = opts.hostHeader;
  try {
    for (let hop = 0; ; hop++) {
      if (failure) throw failure;
      res = await send(current, hostHeader, (r) => {
        active = r;
      });
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        res.resume();
        if (hop >= MAX_REDIRECTS)
          throw new CliError(
            `${url}: more than ${MAX_REDIRECTS} redirects (last to ${escapeControl(location)})`,
          );
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new CliError(`${url}: the server redirected to an invalid address`);
        }
        if (next.protocol !== "http:" && next.protocol !== "https:")
          throw new CliError(
            `${url}: the server redirected to ${next.protocol} (only http and https are fetched)`,
          );
        // A chosen Host header names the first server; another server gets its own name.
        if (next.host !== current.host) hostHeader = undefined;
        current = next;
        continue;
      }
      break;
    }
  } catch (e) {
    cleanup();
    if (e instanceof CliError) throw e;
    throw connectError(url, (failure ?? e) as NodeJS.ErrnoException, opts);
  }

  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    const detail = await errorText(res);
    cleanup();
    const hint =
      status === 403
        ? ` (${forbiddenHint(current, opts)})`
        : status === 404
          ? " (is net/http/pprof registered on this server?)"
          : "";
    throw new CliError(
      `${url}: HTTP ${status} ${escapeControl(res.statusMessage ?? "")}${detail ? `: ${detail}` : ""}${hint}`,
    );
  }
  const length = Number(res.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(length) && length > opts.maxBytes) {
    res.destroy();
    cleanup();
    throw new CliError(
      `${url}: the response is ${length} bytes, over the --max-bytes cap of ${opts.maxBytes}`,
    );
  }
  const dateHeader = res.headers.date ? new Date(res.headers.date) : undefined;
  const date = dateHeader && Number.isFinite(dateHeader.getTime()) ? dateHeader : new Date();

  const encoding = String(res.headers["content-encoding"] ?? "").toLowerCase();
  const gzipped = encoding === "gzip" || encoding === "x-gzip";
  const stream: NodeJS.ReadableStream & { destroy(e?: Error): void } = gzipped
    ? res.pipe(createGunzip())
    : res;
  if (stream !== res) res.on("error", (e) => stream.destroy(e));
  active = { destroy: (e) => stream.destroy(e) };
  if (failure) stream.destroy(failure);

  async function* body(): AsyncGenerator<Uint8Array> {
    let total = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > opts.maxBytes) {
          throw new CliError(
            `${url}: the response passed the --max-bytes cap of ${opts.maxBytes} bytes; stopped reading`,
          );
        }
        yield chunk;
      }
      if (failure) throw failure;
    } catch (e) {
      if (e instanceof CliError) throw e;
      const err = (failure ?? e) as Error & { code?: string };
      if (err instanceof Timeout)
        throw new CliError(
          `${url}: the transfer did not finish within ${opts.timeoutMs / 1000}s (raise --timeout)`,
        );
      if (err instanceof Aborted) throw new CliError(`${url}: stopped`);
      if (err.code === "Z_DATA_ERROR" || err.code === "Z_BUF_ERROR")
        throw new CliError(`${url}: the gzip transfer is damaged (${escapeControl(err.message)})`);
      if (err.code === "ECONNRESET" || err.message === "aborted")
        throw new CliError(`${url}: the server closed the connection before the body ended`);
      throw new CliError(`${url}: ${escapeControl(err.message)}`);
    } finally {
      stream.destroy();
      res.destroy();
      cleanup();
    }
  }
  // A gzip transfer's length is not the dump's: progress then counts without a total.
  return { body: body(), size: Number.isFinite(length) && !gzipped ? length : undefined, date };
}

function sni(hostHeader: string | undefined): string | undefined {
  const name = hostHeader?.replace(/:\d+$/, "");
  return name && !isIP(name) && !name.startsWith("[") ? name : undefined;
}

/** One request with exactly these headers; resolves with the response head. */
function send(
  url: URL,
  hostHeader: string | undefined,
  onRequest: (r: { destroy(e: Error): void }) => void,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      "user-agent": "gosleuth",
      accept: "*/*",
      "accept-encoding": "gzip",
    };
    if (hostHeader) headers.host = hostHeader;
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "GET",
      headers,
      // No pooled connection: one request per connection, nothing left open when the command ends.
      agent: false,
      // Through a tunnel, TLS names the server the Host header names (never an address: SNI takes names only).
      ...(url.protocol === "https:" && sni(hostHeader) ? { servername: sni(hostHeader) } : {}),
    });
    onRequest(req);
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}
