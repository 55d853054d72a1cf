// The browser tests' static server on its own (no browser): malformed paths get 400 and the server keeps
// serving; nothing outside the built folder is served.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "./server.mjs";

let tmp = "";
let srv: { url: string; close(): Promise<void> };

/** A GET with the path sent exactly as given (fetch would normalize it). */
function status(path: string): Promise<number> {
  const u = new URL(srv.url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => ok(res.statusCode ?? 0));
    });
    req.on("error", fail);
    req.on("timeout", () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.end();
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "gosleuth-viewer-server-"));
  // Hand-written stand-ins for the built viewer and a file beside it that must not be served.
  mkdirSync(join(tmp, "dist"));
  writeFileSync(join(tmp, "dist", "index.html"), "<!doctype html><title>stand-in</title>\n");
  writeFileSync(join(tmp, "dist-secret.txt"), "not part of the site\n");
  srv = await serve({ dist: join(tmp, "dist"), dump: null });
});

afterAll(async () => {
  await srv?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the e2e static server", () => {
  it("answers 400 to malformed paths and keeps serving", async () => {
    for (const p of ["/%", "/%E0%A4%A", "/%zz", "/a%00b"]) expect(await status(p), p).toBe(400);
    expect(await status("/")).toBe(200);
    expect(await status("/dump")).toBe(404);
  });

  it("serves nothing outside the built folder", async () => {
    expect(await status("/../dist-secret.txt")).toBe(404);
    expect(await status("/%2e%2e/dist-secret.txt")).toBe(404);
    expect(await status("/..%2fdist-secret.txt")).toBe(404);
  });
});
