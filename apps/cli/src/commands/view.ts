// `gosleuth view`: serves the built viewer and one dump on loopback, and opens a browser on it.
import { spawn } from "node:child_process";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { basename, dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../errors.ts";

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
  url: string;
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
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, SECURITY_HEADERS).end();
      return;
    }
    if (url.pathname === "/dump") {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        "content-type": "application/octet-stream",
        "content-length": String(st.size),
        "x-gosleuth-filename": encodeURIComponent(basename(input)),
        "cache-control": "no-store",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(input).pipe(res);
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, "");
    const file = resolve(root, rel);
    if (rel === "" || rel === "index.html") {
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": TYPES[".html"]! }).end(index);
      return;
    }
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...SECURITY_HEADERS, "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    });
    createReadStream(file).pipe(res);
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
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/?src=/dump`,
    close: () => new Promise((ok) => server.close(() => ok())),
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
