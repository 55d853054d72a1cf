// A small static server for the browser tests and the benchmark: the built viewer at `/` and one dump at `/dump`,
// shaped like what `gosleuth view` serves (X-Gosleuth-Filename / X-Gosleuth-Length headers).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { basename, extname, join, normalize, resolve } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Starts the server on a free loopback port; resolves to { url, close }. */
export function serve({ dist, dump }) {
  const root = resolve(dist);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
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
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
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
