// A small static server for the browser tests and the benchmark: the built viewer at `/` and one dump at `/dump`,
// shaped like what `gosleuth view` serves (X-Gosleuth-Filename / X-Gosleuth-Length headers).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { basename, extname, join, normalize, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** The request's decoded path, or undefined when it cannot be decoded or holds a NUL. */
function decodePath(target) {
  try {
    const path = decodeURIComponent(new URL(target, "http://x").pathname);
    return path.includes("\0") ? undefined : path;
  } catch {
    return undefined;
  }
}

/** Starts the server on a free loopback port; resolves to { url, close }. */
export function serve({ dist, dump }) {
  const root = resolve(dist);
  const server = createServer((req, res) => {
    const path = decodePath(req.url ?? "/");
    if (path === undefined) {
      // A malformed escape (`/%`, `/%E0%A4%A`) or a NUL: a bad request, not the end of the server.
      res.writeHead(400).end("bad request");
      return;
    }
    if (path === "/dump") {
      if (!dump || !existsSync(dump)) {
        res.writeHead(404).end("no dump");
        return;
      }
      const size = statSync(dump).size;
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": String(size),
        "x-gosleuth-filename": encodeURIComponent(basename(dump)),
        "x-gosleuth-length": String(size),
        "cache-control": "no-store",
      });
      createReadStream(dump).pipe(res);
      return;
    }
    const file = normalize(join(root, path === "/" ? "index.html" : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      ok({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
