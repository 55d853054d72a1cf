// Race-detector reports (`WARNING: DATA RACE` between `==================` lines): accesses, goroutines, stacks.
// A line scanner rather than the Chevrotain grammar: ThreadSanitizer's format is small, indented and
// unrelated to the traceback printer's, and program output may be interleaved anywhere.
import type { Diagnostic, RaceAccess, RaceFrame, RaceGoroutine, RaceReport } from "@gosleuth/model";
import { flat, functionName } from "./function-name.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const ACCESS =
  /^(Previous )?(Atomic )?(read|write|Read|Write) at (0x[0-9a-f]+) by (main goroutine|goroutine (\d+)):$/;
const CREATED = /^Goroutine (\d+) \(([^)]*)\) created at:$/;
const FUNC = /^ {2}(\S.*)\(\)$/;
const FILE = /^ {6}(\S.*):(\d+)(?: \+(0x[0-9a-f]+))?$/;

/** Finds every race report in `lines` (line `i` is input line `firstLine + i`). */
export function parseRaceReports(
  lines: readonly string[],
  firstLine = 1,
): { races: RaceReport[]; diagnostics: Diagnostic[] } {
  const races: RaceReport[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i] !== "WARNING: DATA RACE") {
      i++;
      continue;
    }
    const start = i > 0 && lines[i - 1] === "==================" ? i - 1 : i;
    const accesses: RaceAccess[] = [];
    const goroutines: RaceGoroutine[] = [];
    let frames: RaceFrame[] | null = null;
    i++;
    for (; i < lines.length; i++) {
      const l = lines[i]!.replace(/\r$/, "");
      if (l === "==================" || l === "WARNING: DATA RACE") break;
      let m: RegExpExecArray | null;
      if ((m = ACCESS.exec(l))) {
        frames = [];
        accesses.push({
          kind: m[3]!.toLowerCase() as "read" | "write",
          previous: m[1] !== undefined,
          atomic: m[2] !== undefined,
          address: m[4]!,
          goroutineId: m[6] !== undefined ? Number(m[6]) : null,
          frames,
        });
      } else if ((m = CREATED.exec(l))) {
        frames = [];
        goroutines.push({ id: Number(m[1]), status: m[2]!, createdAt: frames });
      } else if ((m = FUNC.exec(l)) && frames) {
        const f = FILE.exec((lines[i + 1] ?? "").replace(/\r$/, ""));
        const fr: Mutable<RaceFrame> = {
          fn: functionName(m[1]!),
          file: f ? flat(f[1]!) : "",
          line: f ? Number(f[2]) : 0,
        };
        if (f?.[3]) fr.offset = f[3];
        frames.push(fr);
        if (f) i++;
      } else if (l.trim() !== "") {
        diagnostics.push({
          severity: "info",
          line: firstLine + i,
          message: `@gosleuth/parser: line ${firstLine + i}: program output inside a race report (kept as raw text)`,
          text: l,
        });
      }
    }
    const end = i < lines.length && lines[i] === "==================" ? i : i - 1;
    races.push({ accesses, goroutines, lines: { start: firstLine + start, end: firstLine + end } });
  }
  return { races, diagnostics };
}
