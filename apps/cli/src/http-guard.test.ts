// The request guard on its own (the `view` server's end-to-end tests send the same requests over HTTP).
import type { IncomingMessage } from "node:http";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { allowedHosts, checkRequest, isCrossSite, isRefusal, newToken, tokenMatches } from "./http-guard.ts";

function req(url: string, headers: Record<string, string> = {}, method = "GET"): IncomingMessage {
  return { url, method, headers } as unknown as IncomingMessage;
}

const guard = { host: "127.0.0.1", port: 8123 };

describe("checkRequest", () => {
  it("answers the loopback names with the port, and refuses any other Host", () => {
    for (const host of ["127.0.0.1:8123", "localhost:8123", "[::1]:8123", "LocalHost:8123"])
      expect(isRefusal(checkRequest(req("/", { host }), guard)), host).toBe(false);
    for (const host of [
      "attacker.example:8123",
      "localhost",
      "127.0.0.1:80",
      "localhost:8124",
      "127.0.0.2:8123",
      "",
    ]) {
      const r = checkRequest(req("/", host ? { host } : {}), guard);
      expect(isRefusal(r) && r.status, host).toBe(403);
    }
  });

  it("answers the --host given, IPv6 in brackets", () => {
    const v6 = { host: "::1", port: 9000 };
    expect(allowedHosts(v6).has("[::1]:9000")).toBe(true);
    const lan = { host: "192.168.1.20", port: 9000 };
    expect(isRefusal(checkRequest(req("/", { host: "192.168.1.20:9000" }), lan))).toBe(false);
    expect(allowedHosts({ host: "0.0.0.0", port: 9000 }).has(`${hostname().toLowerCase()}:9000`)).toBe(true);
  });

  it("answers any well-formed Host with anyHost (a non-loopback scrape target), and only a well-formed one", () => {
    const lan = { host: "10.0.0.5", port: 9464, anyHost: true };
    for (const host of [
      "gosleuth.monitoring.svc:9464",
      "10.0.0.5:9464",
      "[fd00::5]:9464",
      "agent",
      "A-1.example",
    ])
      expect(isRefusal(checkRequest(req("/metrics", { host }), lan)), host).toBe(false);
    // Control characters (a tab, C1's CSI, ESC), paths, userinfo and an empty Host go no further than a 400.
    for (const host of ["a\tb:9464", "x\u009b31m:9464", "x\u001b[2J", "a/b:9464", "u@h:9464", "h:port", ""]) {
      const r = checkRequest(req("/metrics", host ? { host } : {}), lan);
      expect(isRefusal(r) && r.status, JSON.stringify(host)).toBe(400);
      expect(isRefusal(r) && r.message).toBe("bad Host header");
    }
    // Without the option the same server answers only the names it was started under.
    const r = checkRequest(req("/metrics", { host: "gosleuth.monitoring.svc:9464" }), {
      ...lan,
      anyHost: false,
    });
    expect(isRefusal(r) && r.status).toBe(403);
  });

  it("gives 400 for malformed targets and escapes, 405 for other methods", () => {
    const host = { host: "127.0.0.1:8123" };
    for (const url of ["/%", "/%E0%A4%A", "/%zz", "/a%00b", "//evil.example/x", "*", "http://x/"]) {
      const r = checkRequest(req(url, host), guard);
      expect(isRefusal(r) && r.status, url).toBe(400);
    }
    const post = checkRequest(req("/", host, "POST"), guard);
    expect(isRefusal(post) && post.status).toBe(405);
    const ok = checkRequest(req("/assets/a%20b.js?x=1", host), guard);
    expect(!isRefusal(ok) && ok.path).toBe("/assets/a b.js");
  });
});

describe("isCrossSite", () => {
  it("trusts same-origin and typed navigations, refuses other sites and foreign origins", () => {
    const host = "127.0.0.1:8123";
    expect(isCrossSite(req("/", { host }))).toBe(false);
    expect(isCrossSite(req("/", { host, "sec-fetch-site": "same-origin" }))).toBe(false);
    expect(isCrossSite(req("/", { host, "sec-fetch-site": "none" }))).toBe(false);
    expect(isCrossSite(req("/", { host, origin: "http://127.0.0.1:8123" }))).toBe(false);
    expect(isCrossSite(req("/", { host, "sec-fetch-site": "cross-site" }))).toBe(true);
    expect(isCrossSite(req("/", { host, "sec-fetch-site": "same-site" }))).toBe(true);
    expect(isCrossSite(req("/", { host, origin: "http://attacker.example" }))).toBe(true);
    expect(isCrossSite(req("/", { host, origin: "null" }))).toBe(true);
    expect(isCrossSite(req("/", { host, origin: "not a url" }))).toBe(true);
  });
});

describe("tokens", () => {
  it("are fresh, URL-safe, and compared exactly", () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newToken()).not.toBe(a);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(`${a}x`, a)).toBe(false);
    expect(tokenMatches(a.slice(1), a)).toBe(false);
    expect(tokenMatches("", a)).toBe(false);
    expect(tokenMatches(undefined, a)).toBe(false);
  });
});
