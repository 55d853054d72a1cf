// HeaderTable.parseAt (the fast path's header, read where it lies in the text) must give what
// HeaderTable.parse gives for the same line cut out: the fields, the id and the state's class.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fixture, listFixtures } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { HeaderTable } from "./header.ts";
import { isHeaderAt, lineEnd, next } from "./line-matchers.ts";
import { classifyState } from "./state.ts";

/** Every header line of `text` read both ways, each way with its own table; returns how many. */
function compareHeaders(text: string): number {
  const byLine = new HeaderTable();
  const inPlace = new HeaderTable();
  let n = 0;
  for (let s = 0; s < text.length; s = next(text, lineEnd(text, s))) {
    const e = lineEnd(text, s);
    if (!isHeaderAt(text, s, e)) continue;
    const line = text.substring(s, next(text, e));
    const want = byLine.parse(line);
    const got = inPlace.parseAt(text, s, e);
    const a = JSON.stringify({ ...got, id: inPlace.id, idText: inPlace.idText, kept: !!inPlace.shared });
    const b = JSON.stringify({ ...want, id: byLine.id, idText: byLine.idText, kept: !!byLine.shared });
    // A tail kept by the table carries its state's class.
    if (a !== b || (inPlace.shared !== undefined && inPlace.shared.stateClass !== classifyState(got.state))) {
      expect({ line, got: a, stateClass: inPlace.shared?.stateClass }).toEqual({
        line,
        got: b,
        stateClass: inPlace.shared && classifyState(got.state),
      });
    }
    n++;
  }
  return n;
}

const DUMPS = [
  ...listFixtures("generated/go-versions"),
  ...listFixtures("generated/servers"),
  ...listFixtures("labeled/leakybank"),
].filter((f) => !f.includes("debug1") && (f.endsWith("debug2.txt.gz") || f.endsWith(".txt")));

describe("parseAt gives parse's header on every real dump", () => {
  it.each(DUMPS)("%s", (rel) => {
    const raw = readFileSync(fixture(rel));
    const text = (rel.endsWith(".gz") ? gunzipSync(raw) : raw).toString("latin1");
    expect(compareHeaders(text)).toBeGreaterThan(0);
  });
});

it("parseAt tells apart tails of one length and reads every shape parse reads", () => {
  // Hand-written headers (built inline): tails of equal length that differ only in their labels'
  // last characters or in the state, a per-goroutine gp=, an id past 15 digits, CRLF, minutes, and a
  // last line without its newline.
  const text = [
    'goroutine 7 [select labels:{"conn": "17"}]:',
    'goroutine 8 [select labels:{"conn": "18"}]:',
    'goroutine 9 [select labels:{"conn": "17"}]:',
    "goroutine 10 [sleep]:",
    "goroutine 11 [idle1]:",
    "goroutine 12 [sleep]:\r",
    "goroutine 13 gp=0xc000006000 m=nil [chan send, 1 minutes]:",
    "goroutine 18446744073709551615 [running]:",
    "goroutine 1234567890123456 [running]:",
    "goroutine 14 [chan receive, 5 minutes, locked to thread]:",
    "goroutine 15 [chan receive, 7 minutes, locked to thread]:",
    "goroutine 16 [select]: {conn: 17}:",
    "goroutine 17 [sleep]:",
  ].join("\n");
  expect(compareHeaders(text)).toBe(13);
  const t = new HeaderTable();
  const s8 = text.indexOf("goroutine 8 ");
  expect(t.parseAt(text, text.indexOf("goroutine 7 "), text.indexOf("\n")).labels).toEqual({ conn: "17" });
  expect(t.parseAt(text, s8, lineEnd(text, s8)).labels).toEqual({ conn: "18" });
  expect(t.id).toBe(8);
});
