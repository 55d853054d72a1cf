// Classifies the lines before a dump's goroutines (its preamble): panics and their chains, fatal
// errors, the signal and its PC= line, runtime lines, and what is only text before the dump. The
// builder keeps the lines; this reads them once, when the input ends.
import type { DiagnosticSeverity, DumpFormat, PanicLine, Preamble, SignalInfo } from "@gosleuth/model";
import { PROFILE_HEAD } from "./detect.ts";
import { isRaceStart } from "./race.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The preamble of `lines` (kept raw in it) and the dump's format; `goroutineCount`: goroutine blocks in
 * the input; `diag`: where a line's diagnostic goes (numbered from 1).
 */
export function classifyPreamble(
  lines: readonly string[],
  goroutineCount: number,
  diag: (severity: DiagnosticSeverity, line: number, message: string, text: string) => void,
): { preamble: Preamble; format: DumpFormat } {
  const panics: PanicLine[] = [];
  const fatal: string[] = [];
  const runtimeLines: string[] = [];
  const signal: Mutable<SignalInfo> = {};
  let hasSignal = false;
  let last: "panic" | "fatal" | null = null;
  let inStack = false;
  let race = false;
  /** Takes a line the runtime prints before the goroutines; false when it is none of them. */
  const take = (l: string): boolean => {
    // runtimeLine is the one list of what can be taken (onlyText reads it too): a pattern added below
    // and not there never fires.
    if (!runtimeLine(l)) return false;
    let m: RegExpExecArray | null;
    if ((m = PANIC_LINE.exec(l))) {
      let msg = m[2]!;
      let recovered = false;
      let repanicked = false;
      if (msg.endsWith(" [recovered, repanicked]")) {
        repanicked = recovered = true;
        msg = msg.slice(0, -24);
      } else if (msg.endsWith(" [recovered]")) {
        recovered = true;
        msg = msg.slice(0, -12);
      }
      // A panic printed right after a recovered one is the next in its chain: TAB-indented by the
      // runtime, but a log may have stripped the TAB.
      const prev = panics[panics.length - 1];
      const nested = m[1]!.length > 0 || (last === "panic" && prev !== undefined && prev.recovered);
      panics.push({ message: msg, recovered, repanicked, depth: nested ? panics.length : 0 });
      last = "panic";
    } else if ((m = FATAL_LINE.exec(l))) {
      fatal.push(m[1]!);
      last = "fatal";
    } else if (l.startsWith("[signal ")) {
      signal.bracket = l.slice(1, l.endsWith("]") ? -1 : undefined);
      hasSignal = hasSignal || !l.startsWith("[signal arrived");
      last = null;
    } else if ((m = SIGNAL_LINE.exec(l))) {
      signal.header = m[1]!;
      signal.name = m[2] ?? m[1]!;
      hasSignal = true;
      last = null;
    } else if (l.startsWith("PC=")) {
      for (const kv of l.split(" ")) {
        const [k, v] = kv.split("=");
        if (k === "PC") signal.pc = v;
        else if (k === "m") signal.m = v;
        else if (k === "sigcode") signal.sigcode = v;
        else if (k === "addr") signal.addr = v;
      }
      last = null;
    } else if (
      l.startsWith("runtime: ") ||
      l.startsWith("unexpected fault address") ||
      SIGNAL_DURING.test(l)
    ) {
      runtimeLines.push(l);
      last = null;
    } else if (l.startsWith("\t") && last === "panic" && panics.length > 0) {
      // 1.23+: continuation lines of a multi-line panic value start with a TAB.
      const p = panics[panics.length - 1]!;
      panics[panics.length - 1] = { ...p, message: `${p.message}\n${l.slice(1)}` };
    } else if (l.startsWith("\t") && last === "fatal" && fatal.length > 0) {
      fatal[fatal.length - 1] = `${fatal[fatal.length - 1]}\n${l.slice(1)}`;
    } else if (l === "==================" || isRaceStart(l)) {
      race = true;
    } else if (PROFILE_HEAD.test(l)) {
      // A debug=1 profile's own first line (its groups are read by debug1.ts).
      last = null;
    } else return false;
    return true;
  };
  for (let i = 0; i < lines.length; i++) {
    // Classified without the blanks at its end (CRLF's '\r', a paste's spaces); kept raw in `lines`.
    const l = lines[i]!.trimEnd();
    const ln = i + 1;
    if (l === "runtime stack:") {
      inStack = true;
      last = null;
      continue;
    }
    if (inStack) {
      if (l.trim() === "") inStack = false;
      continue;
    }
    if (take(l) || l.trim() === "" || race) continue;
    // A runtime line glued to what was printed before it (a shell prompt, a log line without its
    // newline), as `goroutine N [` headers can be.
    const glued = gluedStart(l);
    if (glued > 0 && take(l.slice(glued))) {
      diag("info", ln, "runtime line glued to preceding text", l);
      continue;
    }
    diag("info", ln, "text before the dump (kept in the preamble)", l);
  }
  const preamble: Mutable<Preamble> = {
    // Copies already (push, debug1.ts): a new list, not new strings.
    lines: lines.slice(),
    panics,
    fatal,
    runtimeLines,
  };
  if (hasSignal || signal.bracket !== undefined) preamble.signal = signal;
  let format: DumpFormat;
  if (signal.header !== undefined) format = "signal";
  else if (fatal.length > 0) format = "fatal";
  else if (panics.length > 0) format = "panic";
  else if (goroutineCount > 0) format = "debug2";
  else if (race) format = "race";
  else format = "unknown";
  return { preamble, format };
}

/**
 * Whether the classifier reads a line (without the blanks at its end) as only text before the dump,
 * in whatever state it is in: not blank, not indented (a continuation, a stack), none of the
 * runtime's lines, not glued to one, no race report's start. Such a line gives a diagnostic and
 * nothing else (see ModelBuilder.lossless).
 */
export function onlyText(l: string): boolean {
  // Blank, indented, or a control character (binary data) first: never dropped.
  if (l.length === 0 || l.charCodeAt(0) <= 32) return false;
  if (l === "runtime stack:" || runtimeLine(l)) return false;
  const g = gluedStart(l);
  return g === 0 || !runtimeLine(l.slice(g));
}

/** A line `take` reads in some state (a superset: the TAB continuations in any state). */
function runtimeLine(l: string): boolean {
  return (
    PANIC_LINE.test(l) ||
    FATAL_LINE.test(l) ||
    l.startsWith("[signal ") ||
    SIGNAL_LINE.test(l) ||
    l.startsWith("PC=") ||
    l.startsWith("runtime: ") ||
    l.startsWith("unexpected fault address") ||
    SIGNAL_DURING.test(l) ||
    l.startsWith("\t") ||
    l === "==================" ||
    isRaceStart(l) ||
    PROFILE_HEAD.test(l)
  );
}

const PANIC_LINE = /^(\t*)panic: (.*)$/;
const FATAL_LINE = /^\t?fatal error: (.*)$/;
const SIGNAL_LINE = /^(?:\^\\)?((SIG[A-Z0-9]+): .*|Signal \d+|Exception 0x.*)$/;
/** After a signal's PC= line: the signal hit C code (cgo), or non-Go code on Windows. */
const SIGNAL_DURING = /^signal arrived during (cgo|external code) execution$/;
/**
 * Where a runtime line glued to preceding text starts (a signal header, `fatal error: `, `panic: `),
 * or 0. Glued means after a shell prompt (`root@host:/# SIGQUIT: quit`) or right after printed text
 * that lacked its newline (`...stoppedSIGQUIT: quit`); a line that only mentions one (prose, a
 * quoted `fatal error: ...`, a log line about a recovered panic) is not glued.
 */
const GLUED =
  /(?:[#$%>] ?|[A-Za-z0-9.!)\]])(SIG[A-Z0-9]+: \w|Signal \d+$|Exception 0x|fatal error: |panic: )/;
function gluedStart(l: string): number {
  const m = GLUED.exec(l);
  if (m === null) return 0;
  // `word panic: ` in a log line is prose; a prompt or glued text has no space before it.
  if (m[1] === "panic: " && !/[#$%>] ?$/.test(m[0].slice(0, -7))) return 0;
  return m.index + m[0].length - m[1]!.length;
}
