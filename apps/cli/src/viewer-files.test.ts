// Which file of the built viewer a request path names: the index for an empty path, nothing outside the folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contentType, fileUnder } from "./viewer-files.ts";

// A stand-in for apps/viewer/dist, made here: an index, one asset, and a file beside the folder.
const top = mkdtempSync(join(tmpdir(), "gosleuth-viewer-files-"));
const root = join(top, "dist");
mkdirSync(join(root, "assets"), { recursive: true });
writeFileSync(join(root, "index.html"), "<!doctype html>");
writeFileSync(join(root, "assets", "main.js"), "");
writeFileSync(join(top, "secret.txt"), "");

afterAll(() => rmSync(top, { recursive: true, force: true }));

describe("fileUnder", () => {
  it("names the index for an empty path, with or without a slash", () => {
    for (const p of ["", "/", ".", "/index.html", "/assets/../index.html"])
      expect(fileUnder(root, p), p).toBe(join(root, "index.html"));
    expect(fileUnder(`${root}/`, "/")).toBe(join(root, "index.html"));
  });

  it("names files under the folder, and nothing outside it, a folder or a missing file", () => {
    expect(fileUnder(root, "/assets/main.js")).toBe(join(root, "assets", "main.js"));
    for (const p of ["/../secret.txt", "../secret.txt", "/assets/../../secret.txt", "/assets", "/nope.js"])
      expect(fileUnder(root, p), p).toBeUndefined();
  });

  it("gives each shipped file type its content type", () => {
    expect(contentType("a/index.html")).toBe("text/html; charset=utf-8");
    expect(contentType("a/main.js")).toBe("text/javascript; charset=utf-8");
    expect(contentType("a/x.bin")).toBe("application/octet-stream");
  });
});
