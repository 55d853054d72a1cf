// writeJson: JSON.stringify's exact text, written a piece at a time, each piece after the last drained.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MappedList, writeJson } from "./format.ts";

/** A stream that keeps what is written, with a small buffer so that writes must wait for it to drain. */
function sink(): { out: Writable; text: () => string; writes: () => number } {
  const chunks: string[] = [];
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      setImmediate(done);
    },
  });
  return { out, text: () => chunks.join(""), writes: () => chunks.length };
}

describe("writeJson", () => {
  const docs: object[] = [
    {},
    { a: [] },
    { a: undefined, b: () => 1, c: null, d: [undefined, () => 1, null] },
    {
      version: 2,
      input: { format: "debug2", goroutines: 3, nested: { list: [1, [2, []], {}] } },
      findings: [
        { key: "main.a\n/app/a.go:1\nselect", reasons: ["line\none", 'quote " \\ \u2028'], n: -0 },
        { key: "b", empty: {}, none: [] },
      ],
      tail: "end",
      more: [[1, 2], { x: [] }],
    },
  ];
  for (const indent of [0, 2] as const) {
    it(`writes JSON.stringify's text (indent ${indent})`, async () => {
      for (const doc of docs) {
        const s = sink();
        await writeJson(doc, indent, s.out);
        expect(s.text()).toBe(`${JSON.stringify(doc, null, indent)}\n`);
      }
    });
  }

  it("writes a long list in pieces of about a megabyte, each after the last one drained", async () => {
    const doc = {
      total: 3,
      nodes: Array.from({ length: 30_000 }, (_, i) => ({ id: `n${i}`, text: "x".repeat(100) })),
    };
    for (const indent of [0, 2] as const) {
      const s = sink();
      let waiting = 0;
      s.out.on("drain", () => waiting++);
      await writeJson(doc, indent, s.out);
      expect(s.text()).toBe(`${JSON.stringify(doc, null, indent)}\n`);
      expect(s.writes()).toBeGreaterThan(2);
      expect(waiting).toBeGreaterThan(1);
    }
  });

  it("writes a MappedList as the mapped array, mapping a run of elements at a time", async () => {
    const source = Array.from({ length: 1000 }, (_, i) => i);
    const map = (i: number) => ({ i, text: `n${i}\n` });
    for (const indent of [0, 2] as const) {
      const runs: number[] = [];
      class Counted<S, T> extends MappedList<S, T> {
        override slice(a: number, b: number): T[] {
          const out = super.slice(a, b);
          runs.push(out.length);
          return out;
        }
      }
      const list = new Counted(source, map);
      const s = sink();
      await writeJson({ head: 1, list, empty: new MappedList([], map), tail: [] }, indent, s.out);
      const want = { head: 1, list: source.map(map), empty: [], tail: [] };
      expect(s.text()).toBe(`${JSON.stringify(want, null, indent)}\n`);
      expect(JSON.stringify(list)).toBe(JSON.stringify(source.map(map)));
      expect(runs.length).toBeGreaterThan(1);
      expect(Math.max(...runs)).toBeLessThan(source.length);
    }
  });
});
