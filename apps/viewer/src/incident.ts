// What a crash or race dump is about, in plain data for the page: the crash message and the goroutine that
// crashed, the races (identical ones folded), and whether every goroutine was printed.
import type { DumpInfo, Goroutine, RaceReport } from "@gosleuth/model";
import { foldRaces, type RaceFrameJson, crashOf as stacksCrashOf } from "@gosleuth/stacks";

export interface CrashView {
  readonly kind: "panic" | "fatal" | "signal";
  /** The runtime's lines, as printed (nested panics indented, `[recovered]`, `[signal …]`). */
  readonly message: readonly string[];
  /** The goroutine that crashed or took the signal; null when all of them are the story (a deadlock). */
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

/** What the crash section needs of the goroutines: the first one printed, and how many there are. */
export interface FirstGoroutines {
  readonly first: Goroutine | null;
  readonly count: number;
}

/**
 * The crash a dump records in its preamble, or null when it records none: `stacks`' reading (one rule for
 * the CLI and the page: the goroutine the runtime printed first is the one that crashed or took the
 * signal; no goroutine for a deadlock), in the page's shape, with the signal's `PC=… m=…` line as printed.
 */
export function crashOf(info: DumpInfo, g: FirstGoroutines): CrashView | null {
  const crash = stacksCrashOf(info, g.first);
  if (!crash) return null;
  const message = crash.message.split("\n");
  const sig = info.preamble.signal;
  if (crash.kind === "signal" && sig?.pc !== undefined) {
    message.push(
      `PC=${sig.pc}${sig.m !== undefined ? ` m=${sig.m}` : ""}${sig.sigcode !== undefined ? ` sigcode=${sig.sigcode}` : ""}${sig.addr !== undefined ? ` addr=${sig.addr}` : ""}`,
    );
  }
  return { kind: crash.kind, message, goroutine: crash.goroutine };
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
