// Unit tests for the filter language: parsing, errors with positions, evaluation and control edits.

import { SEVERITIES as LEAK_SEVERITIES } from "@gosleuth/leaks";
import { describe, expect, it } from "vitest";
import {
  compileFilter,
  type GoroutineSubject,
  parseFilter,
  SEVERITIES,
  setTerm,
  termValues,
} from "./index.ts";

function g(over: Partial<GoroutineSubject> = {}): GoroutineSubject {
  return {
    id: 7,
    state: "chan receive",
    stateClass: "chan-receive",
    waitMinutes: 12,
    creatorText: "main.(*server).serve /src/main.go:40",
    funcsText: "runtime.gopark\nmain.(*server).serveconn",
    filesText: "/go/src/runtime/proc.go:435\n/src/main.go:88",
    labels: { tenant: "Acme", path: "/api" },
    leaked: false,
    lockedToThread: false,
    ...over,
  };
}

function matches(q: string, subject: GoroutineSubject): boolean {
  const f = compileFilter(parseFilter(q));
  expect(parseFilter(q).errors).toEqual([]);
  return f.goroutine === null || f.goroutine(subject);
}

describe("parseFilter", () => {
  it("reads keys, operators, ranges, negation and free text", () => {
    const p = parseFilter('wait:>10 state:chan created:serveConn -fn:gopark "read loop" id:3..9');
    expect(p.errors).toEqual([]);
    expect(p.terms.map((t) => [t.key, t.negated, t.values])).toEqual([
      ["wait", false, [">10"]],
      ["state", false, ["chan"]],
      ["created", false, ["serveconn"]],
      ["fn", true, ["gopark"]],
      ["text", false, ["read loop"]],
      ["id", false, ["3..9"]],
    ]);
    expect(p.terms[0]!.numeric).toEqual([{ op: ">", value: 10 }]);
    expect(p.terms[5]!.numeric).toEqual([{ op: "range", value: 3, to: 9 }]);
  });

  it("reports unknown keys and bad numbers with their position and leaves them out", () => {
    const q = "stat:chan wait:abc ok";
    const p = parseFilter(q);
    expect(p.terms.map((t) => t.key)).toEqual(["text"]);
    expect(p.errors).toHaveLength(2);
    expect(q.slice(p.errors[0]!.start, p.errors[0]!.end)).toBe("stat:chan");
    expect(p.errors[0]!.message).toMatch(/unknown filter key "stat"/);
    expect(q.slice(p.errors[1]!.start, p.errors[1]!.end)).toBe("wait:abc");
    expect(p.errors[1]!.message).toMatch(/expected a number/);
  });

  it("treats file:line and quoted text as free text, not as keys", () => {
    const p = parseFilter('server.go:3464 "fn:x"');
    expect(p.errors).toEqual([]);
    expect(p.terms.map((t) => [t.key, t.values[0]])).toEqual([
      ["text", "server.go:3464"],
      ["text", "fn:x"],
    ]);
  });

  it("rejects empty values, unknown severities and flags, and empty ranges", () => {
    const p = parseFilter("state: severity:urgent is:sleepy wait:9..3");
    expect(p.terms).toEqual([]);
    expect(p.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/state: needs a value/),
      expect.stringMatching(/unknown level "urgent"/),
      expect.stringMatching(/unknown flag "sleepy"/),
      expect.stringMatching(/range 9..3 is empty/),
    ]);
    // The whole messages, the alias named by its key.
    expect(parseFilter("sev:urgent is:leaked,sleepy").errors.map((e) => e.message)).toEqual([
      'severity: unknown level "urgent" (use info, low, medium, high)',
      'is: unknown flag "sleepy" (use leaked, locked, ghost, orphan)',
    ]);
  });

  it("reads hours as minutes for wait only", () => {
    expect(parseFilter("wait:>2h").terms[0]!.numeric).toEqual([{ op: ">", value: 120 }]);
    expect(parseFilter("count:>2h").errors).toHaveLength(1);
  });
});

describe("compileFilter on goroutines", () => {
  it("matches state by raw text and by class", () => {
    expect(matches("state:chan", g())).toBe(true);
    expect(matches("state:chan-receive", g())).toBe(true);
    expect(matches("state:select", g())).toBe(false);
    expect(matches("state:select,chan", g())).toBe(true);
  });

  it("compares wait minutes; a bare number means at least", () => {
    expect(matches("wait:>10", g())).toBe(true);
    expect(matches("wait:>12", g())).toBe(false);
    expect(matches("wait:12", g())).toBe(true);
    expect(matches("wait:13", g())).toBe(false);
    expect(matches("wait:<=12", g())).toBe(true);
    expect(matches("wait:1..5", g())).toBe(false);
  });

  it("matches creator, functions, files, labels and ids case-insensitively", () => {
    expect(matches("created:Serve", g())).toBe(true);
    expect(matches("created:readLoop", g())).toBe(false);
    expect(matches("fn:serveConn", g())).toBe(true);
    expect(matches("fn:proc.go", g())).toBe(false);
    expect(matches("file:proc.go:435", g())).toBe(true);
    expect(matches("label:tenant=acme", g())).toBe(true);
    expect(matches("label:tenant=other", g())).toBe(false);
    expect(matches("label:api", g())).toBe(true);
    expect(matches("id:7", g())).toBe(true);
    expect(matches("id:8", g())).toBe(false);
  });

  it("free text looks at functions, files, creator, state, id and labels", () => {
    expect(matches("gopark", g())).toBe(true);
    expect(matches("main.go:88", g())).toBe(true);
    expect(matches("receive", g())).toBe(true);
    expect(matches("7", g())).toBe(true);
    expect(matches("acme", g())).toBe(true);
    expect(matches("nothing-like-this", g())).toBe(false);
  });

  it("ANDs terms and negates with - or !", () => {
    expect(matches("state:chan wait:>10 created:serve", g())).toBe(true);
    expect(matches("state:chan wait:>100", g())).toBe(false);
    expect(matches("-state:chan", g())).toBe(false);
    expect(matches("!fn:gopark", g())).toBe(false);
    expect(matches("-fn:lockWaiter", g())).toBe(true);
  });

  it("reads the flags", () => {
    expect(matches("is:leaked", g())).toBe(false);
    expect(matches("is:leaked", g({ leaked: true }))).toBe(true);
    expect(matches("is:locked", g({ lockedToThread: true }))).toBe(true);
  });
});

describe("compileFilter on nodes", () => {
  it("splits node-level and goroutine-level terms", () => {
    const f = compileFilter(parseFilter("count:>=100 severity:medium is:ghost state:chan"));
    expect(f.goroutine).not.toBeNull();
    expect(f.node).not.toBeNull();
    expect(f.node!({ count: 100, severity: "high", ghost: true })).toBe(true);
    expect(f.node!({ count: 99, severity: "high", ghost: true })).toBe(false);
    expect(f.node!({ count: 100, severity: "low", ghost: true })).toBe(false);
    expect(f.node!({ count: 100, ghost: true })).toBe(false);
    expect(f.node!({ count: 100, severity: "high", ghost: false })).toBe(false);
  });

  it("knows the severities leaks assigns, and no other", () => {
    expect([...SEVERITIES].reverse()).toEqual([...LEAK_SEVERITIES]);
    const p = parseFilter("severity:critical");
    expect(p.errors.map((e) => e.message)).toEqual([
      'severity: unknown level "critical" (use info, low, medium, high)',
    ]);
    const f = compileFilter(parseFilter("severity:high"));
    expect(f.node!({ count: 1, severity: "high", ghost: false })).toBe(true);
    expect(f.node!({ count: 1, severity: "medium", ghost: false })).toBe(false);
  });

  it("is inactive for an empty or whitespace query", () => {
    const f = compileFilter(parseFilter("   "));
    expect(f.active).toBe(false);
    expect(f.goroutine).toBeNull();
    expect(f.node).toBeNull();
  });
});

describe("setTerm", () => {
  it("replaces a key, keeps the rest as typed, and removes with null", () => {
    expect(setTerm("wait:>3 serveConn", "wait", ">=10")).toBe("serveConn wait:>=10");
    expect(setTerm("serveConn state:chan", "state", "select,io wait")).toBe(
      'serveConn state:select,"io wait"',
    );
    expect(setTerm("serveConn state:chan", "state", null)).toBe("serveConn");
    expect(setTerm("", "count", ">=5")).toBe("count:>=5");
  });

  it("round-trips through the parser", () => {
    const q = setTerm("fn:x", "state", "io wait,chan");
    expect(termValues(q, "state")).toEqual(["io wait", "chan"]);
    expect(termValues(q, "fn")).toEqual(["x"]);
  });
});
