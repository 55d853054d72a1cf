// `gosleuth view`: serves the built viewer and one dump on loopback, and opens a browser on it.
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { basename, resolve } from "node:path";
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
import {
  contentType,
  fileUnder,
  HTML_TYPE,
  sendFile,
  VIEWER_SECURITY_HEADERS,
  viewerDir,
} from "../viewer-files.ts";

const SECURITY_HEADERS = { ...VIEWER_SECURITY_HEADERS, "cross-origin-opener-policy": "same-origin" };

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
  const indexFile = resolve(root, "index.html");
  const index = readFileSync(indexFile);
  const token = newToken();
  // Filled once listening, before any request can arrive.
  let guard: GuardOptions = { host: o.host, port: 0 };
  let hosts = new Set<string>();

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
      sendFile(req, res, input, {
        ...SECURITY_HEADERS,
        "content-type": "application/octet-stream",
        "content-length": String(st.size),
        "x-gosleuth-filename": encodeURIComponent(basename(input)),
        "cache-control": "no-store",
      });
      return;
    }
    const file = fileUnder(root, path);
    if (file === indexFile) {
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": HTML_TYPE }).end(index);
      return;
    }
    if (!file) {
      res.writeHead(404, { ...SECURITY_HEADERS, "content-type": "text/plain" }).end("not found\n");
      return;
    }
    sendFile(req, res, file, { ...SECURITY_HEADERS, "content-type": contentType(file) });
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
