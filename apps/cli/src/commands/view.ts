// `gosleuth view`: serves the built viewer and one dump on loopback, and opens a browser on it.
import { spawn } from "node:child_process";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { basename, dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../errors.ts";
import {
  allowedHosts,
  checkRequest,
  type GuardOptions,
  isCrossSite,
  isRefusal,
  newToken,
  refuse,
  tokenMatches,
} from "../http-guard.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
  ".woff2": "font/woff2",
};

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/** The built viewer: inside the installed package, beside the CLI bundle in the repository, or GOSLEUTH_VIEWER_DIR. */
export function viewerDir(): string {
  if (process.env.GOSLEUTH_VIEWER_DIR) return process.env.GOSLEUTH_VIEWER_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  // The npm package: dist/gosleuth.mjs beside dist/viewer. The repository: apps/cli/dist → apps/viewer/dist;
  // src/commands/view.ts in tests → apps/viewer/dist.
  for (const c of [
    resolve(here, "viewer"),
    resolve(here, "../../viewer/dist"),
    resolve(here, "../../../viewer/dist"),
  ]) {
    if (existsSync(join(c, "index.html"))) return c;
  }
  throw new CliError(
    "the viewer is not built: run `pnpm build` (or `pnpm --filter @gosleuth/viewer build`) first",
  );
}

export interface ViewServer {
  /** The page's address with the dump's tokened path: what `view` prints and opens. */
  url: string;
  /** This run's token (the dump is served only at `/dump/<token>`). */
  token: string;
  close(): Promise<void>;
}

export async function startViewServer(input: string, o: { port: number; host: string }): Promise<ViewServer> {
  const root = viewerDir();
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(input);
  } catch {
    throw new CliError(`${input}: no such file`);
  }
  if (!st.isFile()) throw new CliError(`${input}: not a file`);
  const index = readFileSync(join(root, "index.html"));
  const token = newToken();
  // Filled once listening, before any request can arrive.
  let guard: GuardOptions = { host: o.host, port: 0 };
  let hosts = new Set<string>();

  const serveFile = (
    req: IncomingMessage,
    res: ServerResponse,
    file: string,
    headers: Record<string, string>,
  ) => {
    res.writeHead(200, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    // A file gone or unreadable mid-run ends this response, not the server.
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const checked = checkRequest(req, guard, hosts);
    if (isRefusal(checked)) {
      refuse(res, checked, SECURITY_HEADERS);
      return;
    }
    const { path } = checked;
    if (path === "/dump" || path.startsWith("/dump/")) {
      // The dump is what a hostile page wants: only this origin's own page, holding this run's token, gets it.
      if (isCrossSite(req)) {
        refuse(
          res,
          { status: 403, message: "cross-site requests for the dump are refused" },
          SECURITY_HEADERS,
        );
        return;
      }
      if (!tokenMatches(path.slice("/dump/".length), token)) {
        refuse(
          res,
          { status: 403, message: "the dump needs the address gosleuth view printed" },
          SECURITY_HEADERS,
        );
        return;
      }
      serveFile(req, res, input, {
        ...SECURITY_HEADERS,
        "content-type": "application/octet-stream",
        "content-length": String(st.size),
        "x-gosleuth-filename": encodeURIComponent(basename(input)),
        "cache-control": "no-store",
      });
      return;
    }
    const rel = normalize(path).replace(/^([/\\])+/, "");
    const file = resolve(root, rel);
    if (rel === "" || rel === "index.html") {
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": TYPES[".html"]! }).end(index);
      return;
    }
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...SECURITY_HEADERS, "content-type": "text/plain" }).end("not found\n");
      return;
    }
    serveFile(req, res, file, {
      ...SECURITY_HEADERS,
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    });
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      // Never die of a request: whatever went wrong ends this response only.
      if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS).end();
      else res.destroy();
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      fail(
        new CliError(
          e.code === "EADDRINUSE"
            ? `port ${o.port} is in use (try --port 0)`
            : `cannot listen on ${o.host}:${o.port}: ${e.message}`,
        ),
      ),
    );
    server.listen(o.port, o.host, ok);
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.port;
  guard = { host: o.host, port };
  hosts = allowedHosts(guard);
  // Bound to every interface, the page is opened through loopback (a browser sends what it was given as Host).
  const shown = o.host === "0.0.0.0" || o.host === "" ? "127.0.0.1" : o.host === "::" ? "::1" : o.host;
  const host = shown.includes(":") ? `[${shown}]` : shown;
  return {
    url: `http://${host}:${port}/?src=/dump/${token}`,
    token,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function openBrowser(url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(cmd, [url], { stdio: "ignore", detached: true });
    child.on("error", () =>
      process.stderr.write(`gosleuth: could not open a browser; open ${url} yourself\n`),
    );
    child.unref();
  } catch {
    process.stderr.write(`gosleuth: could not open a browser; open ${url} yourself\n`);
  }
}

export async function viewCommand(
  input: string,
  o: { port: number; host: string; open: boolean },
): Promise<void> {
  const s = await startViewServer(input, o);
  const loopback = /^(127\.|localhost$|::1$|\[::1\]$)/.test(o.host);
  process.stdout.write(`gosleuth view: ${s.url}\n`);
  if (!loopback)
    process.stderr.write(
      `gosleuth: serving on ${o.host}, reachable from other machines: the dump's text is visible to them\n`,
    );
  process.stdout.write("Press Ctrl-C to stop.\n");
  if (o.open) openBrowser(s.url);
  await new Promise<void>((ok) => {
    const stop = () => {
      void s.close().then(ok);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
