// Unit tests for the URL view state and the reducer logic (visibility, highlight, path, context).

import { describe, expect, it } from "vitest";
import { SEVERITY_COLORS, STATE_COLORS } from "./colors.ts";
import {
  type Appearance,
  aggNodeAttrs,
  contextNodes,
  DEFAULT_VIEW,
  EMPTY_APPEARANCE,
  edgeLook,
  formatHash,
  type NodeAttrs,
  nodeLook,
  nodeSize,
  nodeVisible,
  parseHash,
  pathToRoot,
  sameLook,
  shortFunction,
} from "./state.ts";

const parents: Record<string, string | null> = {
  main: null,
  serve: "main",
  conn: "serve",
  read: "conn",
  gc: null,
};
const parentOf = (id: string) => parents[id];

function attrs(over: Partial<NodeAttrs> = {}): NodeAttrs {
  return {
    x: 1,
    y: 2,
    ...aggNodeAttrs({
      count: 3000,
      function: "main.(*Server).serveConn",
      stateClass: "chan-receive",
      ghost: false,
      orphan: false,
    }),
    ...over,
  };
}

describe("URL hash", () => {
  it("round-trips a view, including odd characters in the query", () => {
    const v = {
      q: 'state:chan "a b" wait:>10 #&=',
      layout: "radial" as const,
      sel: "n:12",
      exp: ["n:3", "n:1"],
    };
    const h = formatHash(v);
    expect(h.startsWith("#")).toBe(true);
    expect(parseHash(h)).toEqual({ ...v, exp: ["n:1", "n:3"] });
  });

  it("leaves defaults out and is stable under reordering of expansions", () => {
    expect(formatHash(DEFAULT_VIEW)).toBe("");
    expect(formatHash({ ...DEFAULT_VIEW, exp: ["b", "a"] })).toBe(
      formatHash({ ...DEFAULT_VIEW, exp: ["a", "b"] }),
    );
  });

  it("ignores unknown layouts and empty values", () => {
    expect(parseHash("#layout=3d&sel=&exp=&exp=x&exp=x")).toEqual({
      q: "",
      layout: "tree",
      sel: null,
      exp: ["x"],
    });
  });
});

describe("node attributes", () => {
  it("sizes by count on a log scale with bounds", () => {
    expect(nodeSize(1)).toBe(3);
    expect(nodeSize(1000)).toBeGreaterThan(nodeSize(10));
    expect(nodeSize(1e12)).toBe(28);
  });

  it("draws ghosts as grey rings and marks orphans and findings with a border", () => {
    const ghost = aggNodeAttrs({
      count: 0,
      function: "main.spawn",
      stateClass: "unknown",
      ghost: true,
      orphan: false,
    });
    expect(ghost.type).toBe("ring");
    expect(ghost.label).toBe("ghost · main.spawn");
    const orphan = aggNodeAttrs({
      count: 2,
      function: "main.w",
      stateClass: "select",
      ghost: false,
      orphan: true,
    });
    expect(orphan.type).toBe("bordered");
    expect(orphan.color).toBe(STATE_COLORS.select);
    const leak = aggNodeAttrs({
      count: 2,
      function: "main.w",
      stateClass: "select",
      ghost: false,
      orphan: true,
      severity: "high",
    });
    expect(leak.borderColor).toBe(SEVERITY_COLORS.high);
    const plain = aggNodeAttrs({
      count: 2,
      function: "main.w",
      stateClass: "select",
      ghost: false,
      orphan: false,
    });
    expect(plain.type).toBe("circle");
  });

  it("shortens import paths on labels only up to the last slash before the receiver", () => {
    expect(shortFunction("net/http.(*conn).serve")).toBe("http.(*conn).serve");
    expect(shortFunction("github.com/a/b.(*T[...]).f")).toBe("b.(*T[...]).f");
    expect(shortFunction("main.main")).toBe("main.main");
  });

  it("labels a node whose function ends in a slash with the whole name", () => {
    // Hand-written name: a frame cut after its import path's slash.
    expect(shortFunction("example.com/gen/")).toBe("example.com/gen/");
    const a = aggNodeAttrs({
      count: 3,
      function: "example.com/gen/",
      stateClass: "select",
      ghost: false,
      orphan: false,
    });
    expect(a.label).toBe("3 × example.com/gen/");
  });
});

describe("nodeLook and edgeLook", () => {
  it("shows everything unfiltered, unchanged", () => {
    const l = nodeLook("conn", attrs(), EMPTY_APPEARANCE);
    expect(l.hidden).toBe(false);
    expect(l.color).toBe(STATE_COLORS["chan-receive"]);
    expect(l.label).toBe("3,000 × main.(*Server).serveConn");
  });

  it("hides non-matching nodes, fades context ancestors, relabels partial matches", () => {
    const match = new Map([["conn", 120]]);
    const a: Appearance = { ...EMPTY_APPEARANCE, match, context: contextNodes(match, parentOf) };
    expect([...a.context].sort()).toEqual(["main", "serve"]);
    expect(nodeLook("gc", attrs(), a).hidden).toBe(true);
    const ctx = nodeLook("serve", attrs(), a);
    expect(ctx.hidden).toBe(false);
    expect(ctx.label).toBeNull();
    const hit = nodeLook("conn", attrs(), a);
    expect(hit.label).toBe("120 of 3,000 × main.(*Server).serveConn");
    expect(hit.size).toBe(nodeSize(120));
    expect(nodeVisible("gc", "agg", a)).toBe(false);
    // Expanded goroutine nodes are governed by their parent's expansion, not by the node filter.
    expect(nodeVisible("g:1", "goroutine", a)).toBe(true);
  });

  it("highlights the selection and labels its path to the root", () => {
    const path = new Set(pathToRoot("read", parentOf));
    expect([...path]).toEqual(["read", "conn", "serve", "main"]);
    const a: Appearance = { ...EMPTY_APPEARANCE, selected: "read", path };
    expect(nodeLook("read", attrs(), a)).toMatchObject({ highlighted: true, forceLabel: true, zIndex: 3 });
    expect(nodeLook("serve", attrs(), a)).toMatchObject({ highlighted: false, forceLabel: true, zIndex: 1 });
    expect(nodeLook("gc", attrs(), a)).toMatchObject({ highlighted: false, forceLabel: false });
    expect(edgeLook("conn", "read", true, true, a)).toMatchObject({ size: 3, zIndex: 1 });
    expect(edgeLook("main", "gc", true, true, a)).toMatchObject({ size: 1, zIndex: 0 });
    expect(edgeLook("main", "gc", true, false, a).hidden).toBe(true);
  });

  it("outlines an incident's nodes together, with no single selection", () => {
    const a: Appearance = { ...EMPTY_APPEARANCE, outlined: new Set(["read", "gc"]) };
    expect(nodeLook("read", attrs(), a)).toMatchObject({ highlighted: true, forceLabel: true, zIndex: 3 });
    expect(nodeLook("gc", attrs(), a)).toMatchObject({ highlighted: true, forceLabel: true, zIndex: 3 });
    expect(nodeLook("conn", attrs(), a)).toMatchObject({ highlighted: false, forceLabel: false });
  });

  it("pathToRoot stops on a cycle", () => {
    const cyc = (id: string) => (id === "a" ? "b" : "a");
    expect(pathToRoot("a", cyc)).toEqual(["a", "b"]);
  });
});

describe("sameLook", () => {
  it("treats empty sets and maps as the same, whatever the object", () => {
    expect(sameLook(EMPTY_APPEARANCE, { ...EMPTY_APPEARANCE, context: new Set(), path: new Set() })).toBe(
      true,
    );
    expect(sameLook(EMPTY_APPEARANCE, { ...EMPTY_APPEARANCE, hovered: "n1" })).toBe(true);
  });
  it("sees a change in any field that is drawn", () => {
    expect(sameLook(EMPTY_APPEARANCE, { ...EMPTY_APPEARANCE, selected: "n1" })).toBe(false);
    expect(sameLook(EMPTY_APPEARANCE, { ...EMPTY_APPEARANCE, match: new Map() })).toBe(false);
    expect(sameLook(EMPTY_APPEARANCE, { ...EMPTY_APPEARANCE, searchHits: new Set(["n1"]) })).toBe(false);
    expect(sameLook(EMPTY_APPEARANCE, { ...EMPTY_APPEARANCE, outlined: new Set(["n1"]) })).toBe(false);
    expect(sameLook(EMPTY_APPEARANCE, { ...EMPTY_APPEARANCE, context: new Set(["n1"]) })).toBe(false);
  });
  it("counts a non-empty set as changed even when it is the same object (it may have been refilled)", () => {
    const path = new Set(["n1"]);
    const a: Appearance = { ...EMPTY_APPEARANCE, path };
    expect(sameLook(a, a)).toBe(false);
  });
});
