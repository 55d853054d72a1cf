// The rules every gosleuth HTTP server applies before it answers (`view`, the agent): a request
// that is malformed, names a foreign host (DNS rebinding), comes from another site, or lacks the run's token
// is refused, and no request can end the server.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { networkInterfaces, hostname as osHostname } from "node:os";

export interface GuardOptions {
  /** The address the server was told to bind (`--host`). */
  host: string;
  /** The port it listens on (known once listening). */
  port: number;
  /** Extra methods besides GET and HEAD. */
  methods?: readonly string[];
  /**
   * Answer any Host header whose syntax is valid: for a server bound to another address than loopback and
   * reached under names it cannot know (a DNS name, a Kubernetes service), as a scrape target is. Never for a
   * loopback bind, where the Host check is what stops DNS rebinding.
   */
  anyHost?: boolean;
}

export interface Refusal {
  status: 400 | 403 | 405;
  /** One line for the client; names no request data. */
  message: string;
}

export interface Accepted {
  /** The decoded path (`/dump/abc`), never containing NUL or a malformed escape. */
  path: string;
  url: URL;
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];
const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

/** `::1` → `[::1]`: the form an address takes in a Host header. */
function hostForm(h: string): string {
  const x = h.toLowerCase();
  return x.includes(":") && !x.startsWith("[") ? `[${x}]` : x;
}

/**
 * The Host header values the server answers: the loopback names and the bound address with the port; on a
 * wildcard bind, also this machine's name and interface addresses (the user chose to be reachable by them).
 */
export function allowedHosts(o: Pick<GuardOptions, "host" | "port">): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (WILDCARD.has(o.host)) {
    names.add(osHostname().toLowerCase());
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) names.add(hostForm(a.address.replace(/%.*$/, "")));
  } else names.add(hostForm(o.host));
  const out = new Set<string>();
  for (const name of names) {
    out.add(`${name}:${o.port}`);
    if (o.port === 80) out.add(name);
  }
  return out;
}

/**
 * True when a browser says the request comes from another site: `Sec-Fetch-Site` other than same-origin or
 * none (typed or bookmarked), or an `Origin` that is not this server's own. Clients that are not browsers
 * (curl, gosleuth) send neither header.
 */
export function isCrossSite(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return true;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === "null") return true;
    try {
      return new URL(origin).host.toLowerCase() !== String(req.headers.host ?? "").toLowerCase();
    } catch {
      return true;
    }
  }
  return false;
}

/** A fresh per-run secret for URLs: 128 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(16).toString("base64url");
}

/** Compares a token from a request with the run's, in time that does not depend on where they differ. */
export function tokenMatches(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A Host header's syntax: a name or IPv4 address, or an IPv6 address in brackets, and an optional port. */
const HOST_SYNTAX = /^(?:[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

/** Decodes a URL path; undefined when an escape is malformed or the result holds a NUL. */
function decodePath(pathname: string): string | undefined {
  try {
    const p = decodeURIComponent(pathname);
    return p.includes("\0") ? undefined : p;
  } catch {
    return undefined;
  }
}

/**
 * Checks one request: method, Host header, request target. Cross-site and token checks are per resource
 * (`isCrossSite`, `tokenMatches`), since a page may be opened from a link while its data may not be read.
 */
export function checkRequest(req: IncomingMessage, o: GuardOptions, hosts?: Set<string>): Accepted | Refusal {
  const methods = ["GET", "HEAD", ...(o.methods ?? [])];
  if (!methods.includes(req.method ?? "")) return { status: 405, message: "method not allowed" };
  const host = req.headers.host?.toLowerCase();
  if (o.anyHost) {
    // Any name, but only a name: the Host is never echoed or logged, and nothing else in it gets further.
    if (!host || !HOST_SYNTAX.test(host)) return { status: 400, message: "bad Host header" };
  } else if (!host || !(hosts ?? allowedHosts(o)).has(host)) {
    // A name this server was not started under: a rebound DNS name, or a proxy in between.
    return { status: 403, message: "this server answers only to the address it printed (Host not allowed)" };
  }
  const target = req.url ?? "";
  if (!target.startsWith("/") || target.startsWith("//"))
    return { status: 400, message: "bad request target" };
  let url: URL;
  try {
    url = new URL(target, `http://${host}`);
  } catch {
    return { status: 400, message: "bad request target" };
  }
  const path = decodePath(url.pathname);
  if (path === undefined) return { status: 400, message: "malformed escape in the path" };
  return { path, url };
}

export function isRefusal(x: Accepted | Refusal): x is Refusal {
  return "status" in x;
}

/** Ends a response with a refusal: plain text, nothing from the request echoed. */
export function refuse(res: ServerResponse, r: Refusal, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .writeHead(r.status, {
      ...headers,
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
    })
    .end(`${r.message}\n`);
}
