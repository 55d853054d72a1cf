// End-to-end: `gosleuth view --no-open` serves the built viewer and the dump on loopback only.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fixture } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { CLI } from "./helpers.ts";

const viewerBuilt = existsSync(resolve(CLI, "../../../viewer/dist/index.html"));

// In CI the viewer is always built first (turbo: test depends on ^build), so this never skips there.
describe.skipIf(!viewerBuilt && !process.env.CI)("gosleuth view", () => {
  it("prints a loopback URL, serves the page with a CSP, and the dump at /dump", async () => {
    const dump = fixture("generated/servers/caddy-2.11-idle-debug2.txt");
    const child = spawn(process.execPath, [CLI, "view", dump, "--no-open"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d) => {
          out += d;
          const m = /http:\/\/127\.0\.0\.1:\d+\/\?src=\/dump/.exec(out);
          if (m) ok(m[0]);
        });
        child.on("exit", (c) => fail(new Error(`view exited with ${c}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await page.text()).toContain("<html");
      const body = await fetch(new URL("/dump", url));
      expect(Buffer.from(await body.arrayBuffer()).equals(readFileSync(dump))).toBe(true);
      expect(decodeURIComponent(body.headers.get("x-gosleuth-filename") ?? "")).toBe(
        "caddy-2.11-idle-debug2.txt",
      );
      const traversal = await fetch(new URL("/../../../../etc/passwd", url));
      expect(traversal.status).toBe(404);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
