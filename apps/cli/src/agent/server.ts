// The agent's HTTP server: /metrics for Prometheus, the findings API, the status page, and the viewer on a
// target's current dump. Every request passes the guard first; no request can end the server.
import { createServer, type Server, type ServerResponse } from "node:http";
import { toJson } from "@gosleuth/leaks";
import { openUrl } from "../http-client.ts";
import { allowedHosts, checkRequest, isCrossSite, isRefusal, refuse } from "../http-guard.ts";
import {
  contentType,
  fileUnder,
  HTML_TYPE,
  sendFile,
  VIEWER_SECURITY_HEADERS,
  viewerDir,
} from "../viewer-files.ts";
import type { Agent, TargetState } from "./agent.ts";
import type { AgentMetrics } from "./metrics.ts";
import { renderPage } from "./page.ts";

const SECURITY_HEADERS = { ...VIEWER_SECURITY_HEADERS, "cache-control": "no-store" };

/** Live dumps fetched for the viewer at once, at most: the page must not become a way to load the targets. */
const MAX_SNAPSHOT_FETCHES = 2;

function findTarget(agent: Agent, id: string | null): TargetState | undefined {
  if (!id) return undefined;
  return agent.states.get(id) ?? [...agent.states.values()].find((s) => s.target.labels.instance === id);
}

function targetJson(s: TargetState) {
  return {
    target: { url: s.target.url, labels: s.target.labels },
    up: s.up ?? null,
    reason: s.reason ?? null,
    error: s.error ?? null,
    scrapedAt: s.scrapedAt?.toISOString() ?? null,
    format: s.format ?? null,
    goroutines: s.goroutines ?? null,
    snapshots: s.window.length,
    evidence: s.evidence ?? null,
    schedule: {
      attempts: s.scrapes + s.failuresTotal,
      failuresInRow: s.failures,
      nextAt: new Date(s.nextAt).toISOString(),
      waitsMs: [...s.waits],
    },
    report: s.report ? toJson(s.report) : null,
  };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export interface AgentServer {
  server: Server;
  /** `http://host:port` */
  url: string;
  close(): Promise<void>;
}

export async function startAgentServer(
  agent: Agent,
  metrics: AgentMetrics,
  listen: { host: string; port: number },
): Promise<AgentServer> {
  let viewer: string | undefined;
  try {
    viewer = viewerDir();
  } catch {
    viewer = undefined; // not built: the page links no viewer
  }
  let port = listen.port;
  let fetches = 0;
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type }).end(body);
  };
  const json = (res: ServerResponse, status: number, v: unknown) =>
    send(res, status, "application/json; charset=utf-8", `${JSON.stringify(v, null, 2)}\n`);

  // Bound to loopback, only the loopback names are answered (DNS rebinding); bound to another address, the
  // agent is meant to be scraped under names it cannot know (a DNS name, a Kubernetes service), so any Host.
  const anyHost = !isLoopback(listen.host);
  let hosts: Set<string> | undefined;
  const server = createServer((req, res) => {
    const guard = { host: listen.host, port, anyHost };
    if (!anyHost) hosts ??= allowedHosts(guard);
    const r = checkRequest(req, guard, hosts);
    if (isRefusal(r)) return refuse(res, r, SECURITY_HEADERS);
    const { url, path: p } = r;
    // The page and the viewer may be opened from a link on another site; the data may not be read from one.
    if (p !== "/" && p !== "/viewer" && !p.startsWith("/viewer/") && isCrossSite(req))
      return refuse(res, { status: 403, message: "cross-site request refused" }, SECURITY_HEADERS);
    if (p === "/metrics") {
      metrics.render().then(
        (m) => res.writeHead(200, { "content-type": m.contentType, "cache-control": "no-store" }).end(m.body),
        (e: Error) => send(res, 500, "text/plain; charset=utf-8", `${e.message}\n`),
      );
      return;
    }
    if (p === "/-/healthy") return send(res, 200, "text/plain; charset=utf-8", "ok\n");
    if (p === "/") return send(res, 200, HTML_TYPE, renderPage(agent, viewer !== undefined));
    if (p === "/api/v1/findings" || p === "/api/v1/targets") {
      const id = url.searchParams.get("target");
      if (id !== null) {
        const s = findTarget(agent, id);
        if (!s) return json(res, 404, { error: "no such target" });
        return json(res, 200, targetJson(s));
      }
      const all = [...agent.states.values()].map(targetJson);
      if (p === "/api/v1/targets") for (const t of all) t.report = null;
      return json(res, 200, { version: 1, every: agent.o.every / 1000, targets: all });
    }
    if (p === "/api/v1/snapshot") {
      const s = findTarget(agent, url.searchParams.get("target"));
      if (!s || s.removedAt !== undefined)
        return send(res, 404, "text/plain; charset=utf-8", "no such target\n");
      if (fetches >= MAX_SNAPSHOT_FETCHES)
        return send(res, 503, "text/plain; charset=utf-8", "busy fetching other dumps; retry\n");
      fetches++;
      const t = s.target;
      const o = agent.o;
      openUrl(t.url, {
        timeoutMs: o.timeoutMs,
        maxBytes: o.maxBytes,
        ...(t.hostHeader && { hostHeader: t.hostHeader }),
      })
        .then(async ({ body }) => {
          res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "application/octet-stream" });
          for await (const c of body) if (!res.write(c)) await new Promise((ok) => res.once("drain", ok));
          res.end();
        })
        .catch((e: Error) => {
          if (!res.headersSent) send(res, 502, "text/plain; charset=utf-8", `${e.message}\n`);
          else res.destroy();
        })
        .finally(() => {
          fetches--;
        });
      return;
    }
    if (viewer && (p === "/viewer" || p.startsWith("/viewer/"))) {
      const file = fileUnder(viewer, p.slice("/viewer".length));
      if (file) {
        if (p === "/viewer") {
          res.writeHead(301, { ...SECURITY_HEADERS, location: `/viewer/${url.search}` }).end();
          return;
        }
        sendFile(req, res, file, { ...SECURITY_HEADERS, "content-type": contentType(file) });
        return;
      }
    }
    send(res, 404, "text/plain; charset=utf-8", "not found\n");
  });
  server.on("clientError", (_e, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(listen.port, listen.host, () => {
      server.off("error", fail);
      ok();
    });
  });
  const addr = server.address();
  port = typeof addr === "object" && addr ? addr.port : listen.port;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
