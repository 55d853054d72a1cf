// A line scanner for debug=1 grouped profiles (`goroutine profile: total N`, `COUNT @ PCs`, `# labels:`, `#\tPC\tFUNC+OFF\tFILE:LINE`).
// A hand-written scanner rather than the Chevrotain grammar: the format is tiny and line-regular.
import type { GoroutineGroup, GroupFrame } from "@gosleuth/model";
import type { ModelBuilder } from "./builder.ts";
import { functionName, unsliced } from "./function-name.ts";
import { parseLabels } from "./labels.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseDebug1(
  text: string,
  b: ModelBuilder,
): { groups: GoroutineGroup[]; total: number; profileName: string } {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const groups: GoroutineGroup[] = [];
  let total = 0;
  let profileName = "goroutine";
  let cur: { g: Mutable<GoroutineGroup>; frames: GroupFrame[] } | null = null;
  const close = (endLine: number) => {
    if (!cur) return;
    cur.g.frames = cur.frames;
    cur.g.lines = { start: cur.g.lines.start, end: endLine };
    groups.push(cur.g);
    cur = null;
  };
  let headerSeen = false;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    // Blanks at the end (CRLF's '\r', a paste's spaces) never carry meaning.
    l = l.trimEnd();
    const ln = i + 1;
    let m: RegExpExecArray | null;
    if (!headerSeen && (m = /^\s*(\w+) profile: total (\d+)\s*$/.exec(l))) {
      profileName = m[1]!;
      total = Number(m[2]);
      headerSeen = true;
      b.preambleLines.push(unsliced(l));
    } else if ((m = /^(\d+) @( 0x[0-9a-f]+)*\s*$/.exec(l))) {
      close(ln - 1);
      const pcs = l
        .slice(l.indexOf("@") + 1)
        .trim()
        .split(" ")
        .filter(Boolean)
        .map(unsliced);
      cur = {
        g: {
          kind: "group",
          count: Number(m[1]),
          pcs,
          frames: [],
          lines: { start: ln, end: ln },
          dumpIndex: 0,
        },
        frames: [],
      };
    } else if (cur && l.startsWith("# labels: ")) {
      const raw = l.slice(10);
      cur.g.labelsRaw = unsliced(raw);
      cur.g.labels = parseLabels(raw);
    } else if (cur && l.startsWith("#")) {
      const parts = l
        .slice(1)
        .split(/\t+/)
        .filter((p) => p !== "");
      const frame: Mutable<GroupFrame> = { pc: unsliced((parts[0] ?? "").trim()) };
      const fnOff = parts[1];
      if (fnOff !== undefined) {
        const plus = fnOff.lastIndexOf("+0x");
        frame.fn = functionName(plus === -1 ? fnOff : fnOff.slice(0, plus));
        if (plus !== -1) frame.offset = fnOff.slice(plus + 1);
      }
      const fl = parts[2];
      if (fl !== undefined) {
        const colon = fl.lastIndexOf(":");
        frame.file = unsliced(fl.slice(0, colon));
        frame.line = Number(fl.slice(colon + 1));
      }
      cur.frames.push(frame);
    } else if (l.trim() === "") {
      close(ln - 1);
    } else {
      b.diag("warning", ln, "unrecognised line in a debug=1 profile (kept as raw text)", l);
    }
  }
  close(lines.length);
  b.line = lines.length + 1;
  const sum = groups.reduce((a, g) => a + g.count, 0);
  if (sum < total) b.trailerCut = `the groups add up to ${sum} of the profile's ${total} goroutines`;
  if (sum !== total) {
    b.diag(
      "warning",
      1,
      `the groups add up to ${sum} goroutines but the profile says total ${total} (a partial paste, or a profile taken while goroutines came and went)`,
      "",
    );
  }
  return { groups, total, profileName };
}
