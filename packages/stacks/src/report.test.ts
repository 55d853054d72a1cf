// Reports: JSON valid against its schema with counts that add up; filters; hostile dump text stays text in
// every format.
import { readFileSync } from "node:fs";
import { fixture, listCorpus, listFixtures } from "@gosleuth/fixtures";
import { parseDump } from "@gosleuth/parser";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { StackGrouper } from "./grouper.ts";
import { reportOf } from "./helpers.test-util.ts";
import { toJson } from "./json.ts";
import { renderHtml } from "./render-html.ts";
import { renderMarkdown } from "./render-md.ts";
import { renderText } from "./render-text.ts";
import { buildReport, StacksOptionError } from "./report.ts";

const schema = JSON.parse(readFileSync(new URL("../schema/stacks.v1.json", import.meta.url), "utf8"));
const validate = new Ajv({ allErrors: true }).compile(schema);

describe("--format json", () => {
  const files = [
    ...listFixtures("generated/go-versions").map((f) => fixture(f)),
    ...listFixtures("generated/servers").map((f) => fixture(f)),
    ...listCorpus("public"),
  ];
  for (const f of files) {
    it(`is valid and adds up on ${f.split("/").pop()}`, () => {
      const j = toJson(reportOf(f, { limit: 5 }));
      expect(validate(j), JSON.stringify(validate.errors)).toBe(true);
      expect(j.groups.reduce((s, g) => s + g.count, 0) + j.omitted.goroutines).toBe(j.total);
    });
  }
});

describe("--filter and --match", () => {
  const caddy = fixture("generated/servers/caddy-2.11-t0-debug2.txt");
  const dump = parseDump(readFileSync(caddy));
  it("keeps only goroutines the filter language accepts, and counts the rest", () => {
    const r = reportOf(caddy, { filter: "state:io-wait" }, dump);
    expect(r.groups.length).toBeGreaterThan(0);
    for (const g of r.groups) expect(Object.keys(g.states)).toEqual(["IO wait"]);
    const selects = dump.goroutines.filter((g) => g.stateClass === "io-wait").length;
    expect(r.total).toBe(selects);
    expect(r.filtered).toBe(dump.goroutines.length - selects);
  });
  it("applies group terms (count) to groups", () => {
    const r = reportOf(caddy, { filter: "count:>=300" }, dump);
    expect(r.groups.every((g) => g.count >= 300)).toBe(true);
    expect(r.total + r.filtered).toBe(2711);
  });
  it("keeps groups with a frame matching --match", () => {
    const r = reportOf(caddy, { match: "reverseproxy" }, dump);
    expect(r.groups.length).toBeGreaterThan(0);
    for (const g of r.groups) expect(g.frames.some((f) => f.function.includes("reverseproxy"))).toBe(true);
  });
  it("rejects a bad expression with the term's position", () => {
    expect(() => reportOf(caddy, { filter: "wait:>x" }, dump)).toThrow(StacksOptionError);
    expect(() => reportOf(caddy, { filter: "wait:>x" }, dump)).toThrow(/--filter: column 1: wait:/);
    expect(() => reportOf(caddy, { match: "(" }, dump)).toThrow(/--match/);
  });
  it("sorts by wait and by id", () => {
    const idle = fixture("generated/servers/caddy-2.11-idle-debug2.txt");
    const byWait = reportOf(idle, { sort: "wait" });
    const waits = byWait.groups.map((g) => g.waitMax);
    expect(waits).toEqual([...waits].sort((a, b) => b - a));
    const byId = reportOf(idle, { sort: "id" });
    const firsts = byId.groups.map((g) => g.firstId);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
  });
});

describe("similarity marks", () => {
  it("prints differing argument positions as * and names pointer values that several goroutines share", () => {
    const r = reportOf(fixture("generated/servers/caddy-2.11-t0-debug2.txt"));
    const text = renderText(r);
    const top = r.groups[0]!;
    expect(top.count).toBe(1500);
    // runtime_pollWait(pd, mode): pd differs per connection, mode is 0x72 ('r') in all of them.
    expect(text).toContain("runtime_pollWait(*, 0x72)");
    const name = [...r.pointerNames.values()][0]!;
    expect(name).toBe("#1");
    expect(text).toMatch(/#1 = 0x[0-9a-f]+ {2}held by [\d,]+ goroutines in \d+ groups/);
    expect(text).toContain("(*conn).serve(*, {#1, #2})");
  });
});

// Hand-written hostile input (built inline): a panic whose message and function names carry terminal
// escapes, HTML, Markdown and a backtick run, as a program's own strings can.
const HOSTILE = [
  "panic: \u001b[2J\u001b]0;pwned\u0007<script>alert(1)</script> ```` [x](javascript:alert(1))",
  "",
  "goroutine 1 [running]:",
  "main.`<img src=x onerror=alert(1)>`|x(0xc000012345)",
  "\t/src/\u001b[31mevil</pre>.go:12 +0x1d",
  "",
].join("\n");

describe("hostile dump text", () => {
  const dump = parseDump(HOSTILE);
  const g = new StackGrouper();
  g.add(dump.goroutines);
  const r = buildReport("hostile\u001b[2J.txt", g.result({ keys: true }), dump);
  it("is escaped in text", () => {
    const t = renderText(r, { color: false });
    expect(t).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(t).toContain("\\x1b[2J");
  });
  it("stays inside fences and code in Markdown", () => {
    const md = renderMarkdown(r);
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    // Every line with the message is inside a fence longer than its backtick run.
    expect(md).toContain("`````text");
    let fence: string | null = null;
    for (const line of md.split("\n")) {
      const m = /^(`{3,})/.exec(line);
      if (fence === null && m) fence = m[1]!;
      else if (fence !== null && line === fence) fence = null;
      else if (fence === null) expect(line).not.toMatch(/<script|<img|\]\(javascript:/);
    }
    expect(fence).toBeNull();
  });
  it("is text in HTML: no element, script or link comes from the dump", () => {
    const html = renderHtml(r);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("</pre>.go");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    // Self-contained: nothing is fetched.
    expect(html).not.toMatch(/<[a-z][^>]*\b(src|href)=/i);
    expect(html).toContain("default-src 'none'");
  });
});
