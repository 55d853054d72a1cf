// Request checks of the agent's HTTP server: malformed URLs, foreign Host headers (DNS rebinding) and
// cross-site requests are refused before any route runs, so no request can kill the server or read a dump.
import type { IncomingMessage } from "node:http";

export interface GuardOptions {
  /** The address the server listens on (the --listen host). */
  host: string;
  /** The port it listens on (known once bound). */
  port: number;
}

export interface Refusal {
  status: number;
  message: string;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The parsed URL of an acceptable request, or why it is refused. Host is checked only when the server
 * listens on loopback: bound to another address, it is meant to be reached under names we cannot know.
 */
export function checkRequest(req: IncomingMessage, o: GuardOptions): URL | Refusal {
  if (req.method !== "GET" && req.method !== "HEAD") return { status: 405, message: "only GET and HEAD" };
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://agent");
    decodeURIComponent(url.pathname);
  } catch {
    return { status: 400, message: "malformed request URL" };
  }
  if (isLoopback(o.host)) {
    const allowed = new Set(
      ["127.0.0.1", "localhost", "[::1]", o.host.includes(":") ? `[${o.host}]` : o.host].map((h) =>
        `${h}:${o.port}`.toLowerCase(),
      ),
    );
    const host = (req.headers.host ?? "").toLowerCase();
    if (!allowed.has(host))
      return { status: 403, message: `Host "${host}" is not this server's loopback address` };
  }
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site")
    return { status: 403, message: "cross-site request refused" };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null") {
    let same = false;
    try {
      same = new URL(origin).host.toLowerCase() === (req.headers.host ?? "").toLowerCase();
    } catch {}
    if (!same) return { status: 403, message: "cross-origin request refused" };
  } else if (origin === "null") return { status: 403, message: "cross-origin request refused" };
  return url;
}
