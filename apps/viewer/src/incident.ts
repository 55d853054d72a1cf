// What a crash or race dump is about, in plain data for the page: the crash message and the goroutine that
// crashed, the races (identical ones folded), and whether every goroutine was printed.
import type { DumpInfo, RaceReport } from "@gosleuth/model";
import { foldRaces, type RaceFrameJson } from "@gosleuth/stacks";

export interface CrashView {
  readonly kind: "panic" | "fatal" | "signal";
  /** The runtime's lines, as printed (nested panics indented, `[recovered]`, `[signal …]`). */
  readonly message: readonly string[];
  /** The goroutine that crashed (for a signal: the one that was running); null when all of them are the story. */
  readonly goroutine: number | null;
}

export interface RaceFrameView {
  readonly fn: string;
  readonly file: string;
  readonly line: number;
}

export interface RaceAccessView {
  readonly kind: "read" | "write";
  readonly previous: boolean;
  readonly atomic: boolean;
  readonly address: string;
  /** null: the main goroutine (the report names no id). */
  readonly goroutine: number | null;
  readonly frames: readonly RaceFrameView[];
}

export interface RaceView {
  /** Reports with the same pair of locations, folded into this one. */
  readonly count: number;
  readonly accesses: readonly RaceAccessView[];
  readonly goroutines: readonly {
    readonly id: number;
    readonly status: string;
    readonly createdAt: readonly RaceFrameView[];
  }[];
}

/** The goroutines the crash section needs: the first printed and the first in state `running`. */
export interface FirstGoroutines {
  readonly first: number | null;
  readonly running: number | null;
  readonly count: number;
}

const DEADLOCK = /deadlock!$/;

/** The crash a dump records in its preamble, or null when it records none. */
export function crashOf(info: DumpInfo, g: FirstGoroutines): CrashView | null {
  const p = info.preamble;
  const bracket = p.signal?.bracket ? [`[${p.signal.bracket}]`] : [];
  if (p.panics.length > 0) {
    const message = p.panics.map(
      (x) =>
        `${"\t".repeat(x.depth)}panic: ${x.message}${x.recovered ? (x.repanicked ? " [recovered, repanicked]" : " [recovered]") : ""}`,
    );
    // The runtime prints the panicking goroutine first.
    return { kind: "panic", message: [...message, ...bracket], goroutine: g.first };
  }
  if (p.fatal.length > 0) {
    // Two threads can print the same fatal error: once is enough.
    const fatal = [...new Set(p.fatal)];
    const deadlock = fatal.some((f) => DEADLOCK.test(f));
    return {
      kind: "fatal",
      message: [...fatal.map((f) => `fatal error: ${f}`), ...bracket],
      goroutine: deadlock ? null : g.first,
    };
  }
  const sig = p.signal;
  if (sig?.header) {
    // `PC=… m=… sigcode=… [addr=…]`: where the signal landed, as the runtime printed it.
    const where =
      sig.pc !== undefined
        ? [
            `PC=${sig.pc}${sig.m !== undefined ? ` m=${sig.m}` : ""}${sig.sigcode !== undefined ? ` sigcode=${sig.sigcode}` : ""}${sig.addr !== undefined ? ` addr=${sig.addr}` : ""}`,
          ]
        : [];
    return { kind: "signal", message: [sig.header, ...where], goroutine: g.running };
  }
  return null;
}

/**
 * False when the dump holds only part of the program's goroutines: a panic or fatal error printed
 * with GOTRACEBACK=single shows the crashing goroutine alone, so a parent missing from it may
 * well be running; it is only known to have exited when every goroutine was printed.
 */
export function isComplete(crash: CrashView | null, g: FirstGoroutines): boolean {
  if (!crash || crash.kind === "signal") return true;
  if (crash.kind === "fatal" && crash.goroutine === null) return true;
  return g.count > 1;
}

const frameView = (f: RaceFrameJson): RaceFrameView => ({ fn: f.function, file: f.file, line: f.line });

/**
 * The races, one entry per pair of racing locations with how many reports had it: `stacks`' folding (one rule
 * for the CLI and the page), in the page's frame shape.
 */
export function racesOf(races: readonly RaceReport[]): RaceView[] {
  return foldRaces(races).map((r) => ({
    count: r.count,
    accesses: r.accesses.map((a) => ({ ...a, frames: a.frames.map(frameView) })),
    goroutines: r.goroutines.map((g) => ({ ...g, createdAt: g.createdAt.map(frameView) })),
  }));
}
