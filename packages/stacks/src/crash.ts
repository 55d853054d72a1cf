// The crash a dump records, read the way a Go developer reads it: the runtime's message first, then the
// goroutine it names (the runtime prints the goroutine that panicked, threw, or took the signal first).
import type { DumpInfo, Frame, Goroutine, PanicLine, Register } from "@gosleuth/model";

/** The crash as `--format json` and `summary --json` carry it. */
export interface CrashJson {
  kind: "panic" | "fatal" | "signal";
  /** The runtime's lines, as it printed them (`panic: …`, nested panics, `[signal …]`, `fatal error: …`). */
  message: string;
  /** The goroutine that crashed, or null when none did (a deadlock: every goroutine is blocked). */
  goroutine: number | null;
}

/** Everything a report shows about the crash. */
export interface Crash extends CrashJson {
  panics: readonly PanicLine[];
  /** `fatal error: all goroutines are asleep - deadlock!`: every goroutine is part of the story. */
  deadlock: boolean;
  /** The signal header (`SIGQUIT: quit`) and the thread (`m=0`) that took it. */
  signal?: { header: string; m?: string; pc?: string };
  /** The crashed goroutine itself (its own arguments, not a group's). */
  stack: Goroutine | null;
  /** Goroutines in state `running` when the dump was printed (other threads). */
  running: readonly { id: number; m?: string }[];
  runtimeStack: readonly Frame[];
  registers: readonly Register[];
}

function panicLine(p: PanicLine): string {
  const mark = p.repanicked ? " [recovered, repanicked]" : p.recovered ? " [recovered]" : "";
  return `${"\t".repeat(p.depth)}panic: ${p.message}${mark}`;
}

/**
 * The crash of a dump, or null for a dump that is not one (debug=2 profile, race report). `first` is the
 * first goroutine the input printed; `running` the goroutines found running.
 */
export function crashOf(
  info: DumpInfo,
  first: Goroutine | null,
  running: readonly { id: number; m?: string }[] = [],
): Crash | null {
  const pre = info.preamble;
  const sig = pre.signal;
  let kind: CrashJson["kind"];
  const lines: string[] = [];
  if (pre.panics.length > 0) {
    kind = "panic";
    for (const p of pre.panics) lines.push(panicLine(p));
    if (sig?.bracket) lines.push(`[${sig.bracket}]`);
  } else if (pre.fatal.length > 0) {
    kind = "fatal";
    // Threads that race to throw print the same message more than once; it is one crash.
    for (const f of new Set(pre.fatal)) lines.push(`fatal error: ${f}`);
    if (sig?.bracket) lines.push(`[${sig.bracket}]`);
  } else if (sig?.header) {
    kind = "signal";
    lines.push(sig.header);
  } else return null;
  const deadlock = pre.fatal.some((f) => f.startsWith("all goroutines are asleep"));
  const crash: Crash = {
    kind,
    message: lines.join("\n"),
    goroutine: deadlock || first === null ? null : first.id,
    panics: pre.panics,
    deadlock,
    stack: deadlock ? null : first,
    running,
    runtimeStack: info.runtimeStack ?? [],
    registers: info.registers,
  };
  if (sig?.header) {
    crash.signal = { header: sig.header };
    if (sig.m !== undefined) crash.signal.m = sig.m;
    if (sig.pc !== undefined) crash.signal.pc = sig.pc;
  }
  return crash;
}

/** The JSON shape of a crash (exactly kind, message, goroutine). */
export function crashJson(c: Crash | null): CrashJson | null {
  return c ? { kind: c.kind, message: c.message, goroutine: c.goroutine } : null;
}
