// Mutations of real dumps (lines duplicated, deleted, swapped, inserted; CRLF, NULs, truncation) for the
// fuzz campaigns of hostile.test.ts and fast-path.test.ts.
import fc from "fast-check";

type Op =
  | { op: "truncate"; at: number }
  | { op: "dup" | "del"; at: number }
  | { op: "swap"; a: number; b: number }
  | { op: "insert"; at: number; text: string }
  | { op: "crlf" }
  | { op: "nul"; at: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constantFrom("dup" as const, "del" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ unit: "binary", maxLength: 100 }),
      fc.constantFrom(
        "goroutine 99999999999999999999 [unknown state, 3 minutes]:",
        "goroutine 7 [brand new wait reason (leaked), synctest bubble 4] {k: v}:",
        "...12 frames elided...",
        "created by main.x in goroutine 1",
        "\tgoroutine running on other thread; stack unavailable",
        "[originating from goroutine 3]:",
        "panic: nested\n\tpanic: again [recovered]",
        "\u0000\u0000\u0000",
        "rax    0x0",
      ),
    ),
  }),
  fc.record({ op: fc.constant("crlf" as const) }),
  fc.record({ op: fc.constant("nul" as const), at: fc.nat() }),
);

export function mutate(src: string, ops: Op[]): string {
  let lines = src.split("\n");
  let text: string | undefined;
  for (const o of ops) {
    const i = (k: number) => k % Math.max(1, lines.length);
    if (o.op === "dup") lines.splice(i(o.at), 0, lines[i(o.at)] ?? "");
    else if (o.op === "del") lines.splice(i(o.at), 1);
    else if (o.op === "swap") {
      const [a, b] = [i(o.a), i(o.b)];
      [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
    } else if (o.op === "insert") lines.splice(i(o.at), 0, ...o.text.split("\n"));
    else if (o.op === "crlf") lines = lines.map((l) => `${l}\r`);
    else if (o.op === "nul") lines[i(o.at)] = `${lines[i(o.at)] ?? ""}\u0000`;
    else if (o.op === "truncate") {
      const t = lines.join("\n");
      text = t.slice(0, o.at % (t.length + 1));
      lines = text.split("\n");
    }
  }
  return lines.join("\n");
}
