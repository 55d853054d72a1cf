// Dump text is data: the hand-written hostile dumps through every command and format, nothing escapes its container.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, readFixture } from "@gosleuth/fixtures";
import { githubSarifProblems, sarifSchemaErrors } from "@gosleuth/leaks/sarif-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

const HOSTILE = fixture("synthetic/hostile/handwritten-hostile-names-debug2.txt");

// Built here, not stored: a hand-written dump whose one function name is 1 MiB long (12 goroutines share it).
const tmp = mkdtempSync(join(tmpdir(), "gosleuth-hostile-"));
const HUGE = join(tmp, "handwritten-1mib-name-debug2.txt");
const hugeName = `main.${"A".repeat(1 << 20)}`;
writeFileSync(
  HUGE,
  [
    "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x1d\n",
    ...Array.from(
      { length: 12 },
      (_, i) =>
        `goroutine ${i + 10} [chan receive (nil chan), 30 minutes]:\n${hugeName}(0x1)\n\t/src/x.go:7 +0x1\ncreated by main.main in goroutine 1\n\t/src/main.go:9 +0x2\n`,
    ),
  ].join("\n"),
);

// Control characters a terminal acts on (tab and newline are layout, not dump text, in these outputs).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// Most a 1 MiB name may add to an output: it is cut to a few hundred characters wherever it is printed.
const MAX_OUTPUT = 200_000;

function expectNoControl(s: string, what: string): void {
  const m = CONTROL.exec(s);
  expect(
    m ? `${what}: ${JSON.stringify(s.slice(Math.max(0, m.index - 40), m.index + 40))}` : null,
  ).toBeNull();
}

/**
 * Markdown where dump text stays in its containers: fenced blocks are closed only by their own fence, table rows
 * keep their cell count, and outside `<code>` spans and fences there is no raw HTML, backtick, link or `javascript:`.
 */
function expectContainedMarkdown(md: string): void {
  const lines = md.split("\n");
  const prose: string[] = [];
  let fence: string | null = null;
  let cells = -1;
  for (const line of lines) {
    if (fence) {
      if (line === fence) fence = null;
      else expect(line.startsWith(fence.slice(0, 3)) && /^`+\s*$/.test(line), line).toBe(false);
      continue;
    }
    const open = /^(`{3,})[A-Za-z0-9_-]*$/.exec(line);
    if (open) {
      fence = open[1]!;
      continue;
    }
    if (line.startsWith("|")) {
      const n = line.split("|").length;
      if (cells < 0) cells = n;
      expect(n, line.slice(0, 200)).toBe(cells);
    } else cells = -1;
    prose.push(line);
  }
  expect(fence).toBeNull();
  const outside = prose
    .join("\n")
    .replace(/<code>[^<]*<\/code>/g, "")
    .replace(/`--format json`/g, "")
    .replace(/<\/?(details|summary)>/g, "")
    // A backslash-escaped character is text in CommonMark.
    .replace(/\\[!-/:-@[-`{-~]/g, "");
  expect(outside).not.toMatch(/[<>`]/);
  expect(outside).not.toMatch(/javascript:/i);
  expect(outside).not.toMatch(/\[[^\]]*\]\(/);
}

/** Every statement of the DOT output is one node or edge with quoted ids and a quoted label that stays closed. */
function expectContainedDot(dot: string): void {
  const q = String.raw`"(?:[^"\\]|\\.)*"`;
  const stmt = new RegExp(`^  ${q}( -> ${q})?( \\[label=${q}(, [a-z]+=[a-z]+)*\\])?;$`);
  const lines = dot.trimEnd().split("\n");
  expect(lines[0]).toBe("digraph spawn {");
  expect(lines[lines.length - 1]).toBe("}");
  for (const l of lines.slice(1, -1))
    if (!/^ {2}(rankdir=|node \[)/.test(l)) expect(l, l.slice(0, 200)).toMatch(stmt);
}

let server: Server;
let url = "";
beforeAll(async () => {
  const body = readFixture("synthetic/hostile/handwritten-hostile-names-debug2.txt");
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(body));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/goroutine?debug=2`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe.each([
  ["hostile names", HOSTILE],
  ["a 1 MiB name", HUGE],
])("every command on %s", (_label, input) => {
  const texts: [string, string[]][] = [
    ["summary", ["summary", input]],
    ["tree", ["tree", input]],
    ["tree --per-goroutine", ["tree", input, "--per-goroutine"]],
    ["leaks", ["leaks", input]],
    ["diff", ["diff", fixture("labeled/leakybank/leakybank-t0060s-debug2.txt"), input]],
    ["stacks", ["stacks", input]],
  ];
  it.each(texts)("%s: control characters escaped, long names cut", async (_n, args) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expectNoControl(r.stdout, args.join(" "));
    expectNoControl(r.stderr, `${args.join(" ")} (stderr)`);
    expect(r.stdout.length).toBeLessThan(MAX_OUTPUT);
    if (input === HOSTILE && args[0] !== "diff") expect(r.stdout).toContain("\\x1b");
  });

  it("leaks and diff --format md keep dump text in code spans and fences", async () => {
    const l = await run(["leaks", input, "--format", "md"]);
    expect(l.code).toBe(0);
    expectContainedMarkdown(l.stdout);
    expectNoControl(l.stdout, "leaks md");
    expect(l.stdout.length).toBeLessThan(MAX_OUTPUT);
    const d = await run([
      "diff",
      fixture("labeled/leakybank/leakybank-t0060s-debug2.txt"),
      input,
      "--format",
      "md",
    ]);
    expectContainedMarkdown(d.stdout);
    expectNoControl(d.stdout, "diff md");
    expect(d.stdout.length).toBeLessThan(MAX_OUTPUT);
  });

  it("stacks --format md and html keep dump text as text", async () => {
    const md = await run(["stacks", input, "--format", "md"]);
    expect(md.code, md.stderr).toBe(0);
    expectContainedMarkdown(md.stdout);
    expectNoControl(md.stdout, "stacks md");
    expect(md.stdout.length).toBeLessThan(MAX_OUTPUT);
    const html = await run(["stacks", input, "--format", "html"]);
    expect(html.code, html.stderr).toBe(0);
    expectNoControl(html.stdout, "stacks html");
    for (const raw of ["<script>alert", "<img src=x", 'href="javascript:', "onerror=alert(1)>"])
      expect(html.stdout).not.toContain(raw);
    expect(html.stdout.length).toBeLessThan(MAX_OUTPUT);
  });

  it("tree --dot (aggregated and per goroutine) keeps every label inside its quotes", async () => {
    for (const extra of [[], ["--per-goroutine"]]) {
      const r = await run(["tree", input, "--dot", ...extra]);
      expect(r.code).toBe(0);
      expectContainedDot(r.stdout);
      expectNoControl(r.stdout, "tree --dot");
    }
  });

  it("JSON outputs parse, and SARIF gives no URI with a scheme", async () => {
    for (const args of [
      ["summary", input, "--json"],
      ["tree", input, "--json"],
      ["leaks", input, "--format", "json"],
      ["diff", HOSTILE, input, "--format", "json"],
      ["stacks", input, "--format", "json"],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(0);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
    }
    const p = await run(["parse", input]);
    for (const line of p.stdout.trimEnd().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
    const s = await run(["leaks", input, "--format", "sarif", "--path-map", "/src/="]);
    const log = JSON.parse(s.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifProblems(log)).toEqual([]);
    for (const m of s.stdout.matchAll(/"uri": "([^"]*)"/g))
      expect(m[1]).not.toMatch(/^[A-Za-z][A-Za-z0-9+.-]*:/);
    expect(s.stdout.length).toBeLessThan(MAX_OUTPUT);
  });
});

describe("watch on a hostile endpoint", () => {
  it("prints the rows and the final report with control characters escaped", async () => {
    const r = await run(["watch", url, "--every", "100ms", "--count", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("\\x1b[31mRED");
    expectNoControl(r.stdout, "watch");
  });
});
