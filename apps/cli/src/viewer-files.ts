// Serving the built viewer from a local server (`view`, the agent's /viewer/): where it is, which of its files
// a path names, their content types, the headers its page needs, and streaming a file into a response.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./errors.ts";

/** The built viewer: inside the installed package, beside the CLI bundle in the repository, or GOSLEUTH_VIEWER_DIR. */
export function viewerDir(): string {
  if (process.env.GOSLEUTH_VIEWER_DIR) return process.env.GOSLEUTH_VIEWER_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  // The npm package: dist/gosleuth.mjs beside dist/viewer. The repository: apps/cli/dist → apps/viewer/dist;
  // src/viewer-files.ts in tests → apps/viewer/dist.
  for (const c of [resolve(here, "viewer"), resolve(here, "../../viewer/dist")]) {
    if (existsSync(join(c, "index.html"))) return c;
  }
  throw new CliError(
    "the viewer is not built: run `pnpm build` (or `pnpm --filter @gosleuth/viewer build`) first",
  );
}

/**
 * Headers on every answer of a server that serves the viewer: its page loads only its own scripts and styles
 * (the worker from a blob), cannot be framed, and sends no referrer.
 */
export const VIEWER_SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

const CONTENT_TYPES: Record<string, string> = {
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

export const HTML_TYPE = CONTENT_TYPES[".html"]!;

/** The content type of a file by its extension (octet-stream for one the viewer does not ship). */
export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
}

/**
 * The file under `root` that a request path names (`""` is index.html), or undefined when it is not a file
 * there: `..` and absolute paths cannot leave the folder.
 */
export function fileUnder(root: string, path: string): string | undefined {
  const base = resolve(root);
  // normalize("") is ".": a bare prefix such as the agent's `/viewer` names the index too.
  const rel = normalize(path).replace(/^([/\\])+/, "");
  const file = resolve(base, rel === "" || rel === "." ? "index.html" : rel);
  if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) return undefined;
  return file;
}

/** Answers with a file's bytes, streamed (only the headers for HEAD); a file gone mid-run ends this response. */
export function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  headers: Record<string, string>,
): void {
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}
