// Race-detector reports (`WARNING: DATA RACE` between `==================` lines, of every Go version
// since 1.1): accesses, goroutines, their creation stacks.
// A line scanner rather than the Chevrotain grammar: ThreadSanitizer's format is small, indented and
// unrelated to the traceback printer's, and program output may be interleaved anywhere.
import type { Diagnostic, RaceAccess, RaceFrame, RaceGoroutine, RaceReport } from "@gosleuth/model";
import { functionName, unsliced } from "./function-name.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const ACCESS =
  /^(Previous )?(Atomic )?(read|write|Read|Write)(?: at (0x[0-9a-f]+))? by (main goroutine|goroutine (\d+)):$/;
const CREATED = /^Goroutine (\d+) \(([^)]*)\) created at:$/;
/** `  pkg.f()`: ThreadSanitizer prints no arguments, but a log may have added some; any indentation. */
const FUNC = /^\s+(\S.*)\((.*?)\)$/;
/** `      /path/x.go:12 +0x3a`, indented by six spaces (or less, or not at all, after a log trimmed it). */
const FILE = /^\s*(\S.*):(\d+)(?: \+(0x[0-9a-f]+))?$/;
const HEADER = "WARNING: DATA RACE";
const RULE = "==================";

/**
 * Whether a line (without its line end) starts a race report: ThreadSanitizer's `WARNING: DATA RACE`,
 * or, where a paste or log lost that header, the report's first access line (`Read at 0x… by
 * goroutine N:`).
 */
export function isRaceStart(line: string): boolean {
  if (line === HEADER) return true;
  const m = ACCESS.exec(line);
  return m !== null && m[1] === undefined;
}

/** Finds every race report in `lines` (line `i` is input line `firstLine + i`). */
export function parseRaceReports(
  lines: readonly string[],
  firstLine = 1,
): { races: RaceReport[]; diagnostics: Diagnostic[] } {
  const races: RaceReport[] = [];
  const diagnostics: Diagnostic[] = [];
  // Blanks at line ends (CRLF's '\r', a paste's spaces) never carry meaning in a report.
  const text = lines.map((l) => l.trimEnd());
  let i = 0;
  while (i < text.length) {
    if (!isRaceStart(text[i]!)) {
      i++;
      continue;
    }
    const start = i > 0 && text[i - 1] === RULE ? i - 1 : i;
    const accesses: RaceAccess[] = [];
    const goroutines: RaceGoroutine[] = [];
    let frames: RaceFrame[] | null = null;
    if (text[i] === HEADER) i++;
    for (; i < text.length; i++) {
      const l = text[i]!;
      if (l === RULE || l === HEADER) break;
      let m: RegExpExecArray | null;
      if ((m = ACCESS.exec(l))) {
        // A second first access without a header between: the next report, whose header was lost.
        if (m[1] === undefined && accesses.length > 0) break;
        frames = [];
        accesses.push({
          kind: m[3]!.toLowerCase() as "read" | "write",
          previous: m[1] !== undefined,
          atomic: m[2] !== undefined,
          address: m[4] ?? "",
          goroutineId: m[6] !== undefined ? Number(m[6]) : null,
          frames,
        });
      } else if ((m = CREATED.exec(l))) {
        frames = [];
        goroutines.push({ id: Number(m[1]), status: m[2]!, createdAt: frames });
      } else if (frames && (m = FUNC.exec(l))) {
        const f = FILE.exec(text[i + 1] ?? "");
        const fr: Mutable<RaceFrame> = {
          fn: functionName(m[1]!),
          file: f ? unsliced(f[1]!) : "",
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
          text: lines[i]!,
        });
      }
    }
    const end = i < text.length && text[i] === RULE ? i : i - 1;
    races.push({ accesses, goroutines, lines: { start: firstLine + start, end: firstLine + end } });
  }
  return { races, diagnostics };
}
