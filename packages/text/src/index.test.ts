import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cut,
  escapeControl,
  escapeHtml,
  isSafeRelativePath,
  mdCode,
  mdFence,
  mdText,
  plain,
} from "./index.ts";

// Hand-written hostile strings: what a Go program could put into a function name, a path or a panic message.
const HOSTILE = [
  "```<img src=x onerror=alert(1)>|x```",
  "<script>alert(1)</script>",
  "[click](javascript:alert(1))",
  "main.f|g`h`",
  "\u001b[31mred\u001b[0m\u001b]0;title\u0007",
  "a\u202eb\u2066c",
  "https://evil.example/x",
];

describe("escapeControl", () => {
  it("shows ESC, BEL, CR, NUL, DEL, C1 and bidi overrides as escapes", () => {
    expect(escapeControl("\u001b[2J\u0007\r\u0000\u007f\u009b\u202e")).toBe(
      "\\x1b[2J\\x07\\r\\x00\\x7f\\x9b\\u202e",
    );
  });
  it("keeps tabs and newlines only when asked", () => {
    expect(escapeControl("a\tb\nc")).toBe("a\\tb\\nc");
    expect(escapeControl("a\tb\nc\rd", { lines: true })).toBe("a\tb\nc\\rd");
  });
  it("leaves no control character in any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(escapeControl(s))).toBe(false);
      }),
    );
  });
});

describe("cut", () => {
  it("keeps short text and marks what it drops from long text", () => {
    expect(cut("abc", 10)).toBe("abc");
    const long = `github.com/acme/${"x".repeat(1 << 20)}/pkg.(*T).Method`;
    const out = cut(long, 100);
    expect(out.length).toBeLessThan(130);
    expect(out.startsWith("github.com/acme/")).toBe(true);
    expect(out.endsWith("Method")).toBe(true);
    expect(out).toMatch(/…\[\+1,048,\d{3} chars\]…/);
    expect(plain(long).length).toBeLessThan(600);
  });
});

describe("markdown and HTML", () => {
  it("mdCode leaves no markup character and no backtick or pipe", () => {
    for (const s of HOSTILE) {
      const out = mdCode(s);
      const inner = out.slice("<code>".length, -"</code>".length);
      expect(inner).not.toMatch(/[<>`|[\]()]/);
      expect(inner).not.toMatch(/javascript:|https:/);
      expect(inner).not.toMatch(/\u001b/);
    }
    expect(mdCode("a|b")).toBe("<code>a&#124;b</code>");
  });
  it("mdCode holds for random text", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const inner = mdCode(s).slice(6, -7);
        expect(inner).not.toMatch(/[<>`|\n]/);
      }),
    );
  });
  it("mdFence is longer than any backtick run inside", () => {
    const body = "x ```` y\n```\nz";
    const out = mdFence(body, "text");
    expect(out.startsWith("`````text\n")).toBe(true);
    expect(out.endsWith("\n`````")).toBe(true);
    expect(mdFence("a", "js`<x>")).toBe("```\na\n```");
  });
  it("mdText escapes every syntax character", () => {
    expect(mdText("[a](javascript:x) <b>")).toBe("\\[a\\]\\(javascript\\:x\\) \\<b\\>");
  });
  it("escapeHtml escapes the five characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});

describe("isSafeRelativePath", () => {
  it("accepts repository-relative paths only", () => {
    expect(isSafeRelativePath("leakybank/main.go")).toBe(true);
    expect(isSafeRelativePath("services/leakybank/main.go")).toBe(true);
    for (const bad of [
      "javascript:window.__x=1//x.go",
      "/usr/local/go/src/runtime/proc.go",
      "//host/x.go",
      "../x.go",
      "a/../../x.go",
      "C:\\go\\x.go",
      "data:text/html,x",
      "a\nb.go",
      "",
    ]) {
      expect(isSafeRelativePath(bad), bad).toBe(false);
    }
  });
});
