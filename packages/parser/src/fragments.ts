// Merging the raw results of sessions that each parsed one byte range of a dump (cut at goroutine
// boundaries, parsed on several threads) into the DumpInfo one session over the whole input gives.
import {
  type Diagnostic,
  type DumpFormat,
  type DumpInfo,
  type Frame,
  formatCount,
  type Register,
  type Truncation,
} from "@gosleuth/model";
import { MAX_DIAGNOSTICS, ModelBuilder, NO_CREATOR } from "./builder.ts";
import { isRaceStart, parseRaceReports } from "./race.ts";
import type { SessionMode } from "./session.ts";

/**
 * What one parsing session saw, before interpretation: the parts of a dump that a parallel parse
 * (byte ranges of one file, each cut at a goroutine boundary and parsed on its own thread) gives back
 * to be merged by mergeFragments. Line numbers, `dumpIndex` and goroutine `lines` are local to the
 * fragment; the object is plain data (it survives postMessage).
 */
export interface FragmentInfo {
  mode: SessionMode;
  bytes: number;
  /** Lines consumed (newlines seen). */
  lines: number;
  /** Dumps that started inside this fragment after its first one. */
  dumpsStarted: number;
  goroutines: number;
  /** debug=1/debug=0 groups (they are yielded by the stream). */
  groups: number;
  /** Diagnostics in input order, at most MAX_DIAGNOSTICS, with fragment-local line numbers. */
  diagnostics: Diagnostic[];
  dropped: number;
  preambleLines: string[];
  trailer: string[];
  registers: Register[];
  runtimeStack: Frame[];
  endedWithNewline: boolean;
  total?: number;
  profileName?: string;
  /** No text before the first goroutine (a fragment after the first must start at a goroutine). */
  cleanStart: boolean;
  /** Nothing but one blank line after the last goroutine (a fragment before the last must end so). */
  cleanEnd: boolean;
  /** Goroutine 1 was in this fragment. */
  sawMainGoroutine: boolean;
  /** Stack frames came before this fragment's first goroutine (outside a `runtime stack:` section). */
  framesBeforeFirstBlock: boolean;
  /** Why this fragment's last goroutine looks cut off at its end, if it does (see blockCut). */
  lastBlockCut?: string;
  /** A goroutine of this fragment had `created by` (before its last goroutine: the next field). */
  sawCreatedBy: boolean;
  creatorsBeforeLastBlock: boolean;
  /** Why the text after this fragment's last goroutine looks like a cut-off goroutine, if it does. */
  trailerCut?: string;
  /** Lines outside blocks left out (`lossless: false`; see ModelBuilder.lossless). */
  omittedLines?: number;
}

const startsRace = (l: string): boolean => isRaceStart(l.trimEnd());

const LINE_PREFIX = /^@gosleuth\/parser: line (\d+): /;

/** The same diagnostic seen `offset` lines further down. */
function shiftDiagnostic(d: Diagnostic, offset: number): Diagnostic {
  return {
    ...d,
    line: d.line + offset,
    message: d.message.replace(
      LINE_PREFIX,
      (_, n: string) => `@gosleuth/parser: line ${Number(n) + offset}: `,
    ),
  };
}

/**
 * Merges fragments (in input order) into the DumpInfo that parsing the whole input in one session
 * gives. `clean` is false when a cut did not fall between two goroutines (text between blocks, a
 * profile split in parts): the result is then not that of one session, and the caller should parse
 * the input in one session instead.
 */
export function mergeFragments(frags: readonly FragmentInfo[]): {
  info: DumpInfo;
  clean: boolean;
  /** Per fragment: lines before it and dumps started before it (to make its local numbers global). */
  offsets: { lines: number; dumps: number }[];
} {
  const first = frags[0]!;
  const last = frags[frags.length - 1]!;
  let clean = true;
  const b = new ModelBuilder();
  const offsets: { lines: number; dumps: number }[] = [];
  let lines = 0;
  let dumps = 0;
  let bytes = 0;
  let groups = 0;
  let omitted = 0;
  for (let i = 0; i < frags.length; i++) {
    const f = frags[i]!;
    omitted += f.omittedLines ?? 0;
    if (frags.length > 1 && f.mode !== "blocks") clean = false;
    if (i > 0 && !f.cleanStart) clean = false;
    if (i < frags.length - 1 && !f.cleanEnd) clean = false;
    offsets.push({ lines, dumps });
    for (const r of f.registers) b.registers.push(r);
    b.goroutineCount += f.goroutines;
    lines += f.lines;
    dumps += f.dumpsStarted;
    bytes += f.bytes;
    groups += f.groups;
  }
  b.line = lines + 1;
  b.dumpIndex = dumps;
  b.preambleLines = first.preambleLines;
  b.runtimeStack = first.runtimeStack;
  const trailer = last.trailer;
  const mode = frags.length === 1 ? first.mode : "blocks";
  // The preamble's lines come first in the input, so do their diagnostics: classified before the
  // fragments' diagnostics are added, they are not the ones dropped past MAX_DIAGNOSTICS (a log around
  // a dump listed the first 10,000 lines after it and dropped every line before it).
  const { preamble, format: blockFormat } = b.preamble();
  for (let i = 0; i < frags.length; i++) {
    const f = frags[i]!;
    const at = offsets[i]!.lines;
    for (const d of f.diagnostics) {
      if (b.diagnostics.length >= MAX_DIAGNOSTICS) b.droppedDiagnostics++;
      else b.diagnostics.push(at === 0 ? d : shiftDiagnostic(d, at));
    }
    b.droppedDiagnostics += f.dropped;
  }
  let format: DumpFormat = blockFormat;
  if (mode === "debug1") format = "debug1";
  if (mode === "debug0") format = groups > 0 || first.total === 0 ? "debug0" : "unknown";
  const diagnostics = b.diagnostics;
  if (format === "unknown" && groups === 0 && !diagnostics.some((d) => d.severity === "error")) {
    const firstLine = preamble.lines.find((l) => l.trim() !== "") ?? "";
    const what =
      bytes === 0 && preamble.lines.length === 0
        ? "the input is empty"
        : /^\s*</.test(firstLine)
          ? "it looks like HTML"
          : /^\s*[{[]/.test(firstLine)
            ? "it looks like JSON"
            : /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(preamble.lines.slice(0, 20).join("\n").slice(0, 4096))
              ? "it looks like binary data"
              : `it starts with ${JSON.stringify(firstLine.slice(0, 60))}`;
    diagnostics.unshift({
      severity: "error",
      line: 1,
      message: `@gosleuth/parser: not a goroutine dump: ${what}; expected \`goroutine N [state]:\` blocks (debug=2, a panic, a SIGQUIT dump), a \`goroutine profile: total N\` (debug=1) or a gzipped profile (debug=0)`,
      text: firstLine.slice(0, 200),
    });
  }
  if (b.droppedDiagnostics > 0) {
    diagnostics.push({
      severity: "warning",
      line: b.line,
      message: `@gosleuth/parser: ${formatCount(b.droppedDiagnostics)} more diagnostics not listed (${omitted === 0 ? "the raw text is still kept in the model" : `the raw text is kept but for ${formatCount(omitted)} lines of text left out: parsed with lossless: false`})`,
      text: "",
    });
  }
  let races: DumpInfo["races"] = [];
  if (preamble.lines.some(startsRace) || trailer.some(startsRace)) {
    const pre = parseRaceReports(preamble.lines, 1);
    const post = parseRaceReports(trailer, b.line - trailer.length);
    races = [...pre.races, ...post.races];
    for (const d of pre.diagnostics) diagnostics.push(d);
    for (const d of post.diagnostics) diagnostics.push(d);
  }
  const truncated = truncation(frags, format, b.goroutineCount);
  if (truncated !== undefined) {
    diagnostics.push({
      severity: "warning",
      line: truncated.atStart ? 1 : b.line - 1,
      message: `@gosleuth/parser: the input looks like part of a dump (${truncated.reasons.join("; ")}): what was cut off is counted nowhere`,
      text: "",
    });
  }
  const info: DumpInfo & {
    total?: number;
    profileName?: string;
    runtimeStack?: DumpInfo["runtimeStack"];
    truncated?: Truncation;
    unlistedDiagnostics?: number;
    omittedLines?: number;
  } = {
    format,
    preamble,
    registers: b.registers,
    races,
    diagnostics,
    bytes,
    lineCount: b.line - 1,
    dumpCount: dumps + 1,
    trailer,
    finalNewline: last.endedWithNewline,
  };
  if (b.runtimeStack.length > 0) info.runtimeStack = b.runtimeStack;
  if (truncated !== undefined) info.truncated = truncated;
  if (b.droppedDiagnostics > 0) info.unlistedDiagnostics = b.droppedDiagnostics;
  if (omitted > 0) info.omittedLines = omitted;
  if (first.total !== undefined && frags.length === 1) info.total = first.total;
  if (first.profileName !== undefined && frags.length === 1) info.profileName = first.profileName;
  return { info, clean, offsets };
}

/**
 * Signs, across fragments in input order, that the input is only part of a dump: it starts inside a
 * goroutine block, a debug=2 dump lacks goroutine 1 (which every all-goroutine dump of a live process
 * holds), or it stops inside a goroutine block (or a debug=1 profile's groups fall short of its total).
 */
function truncation(
  frags: readonly FragmentInfo[],
  format: DumpFormat,
  goroutines: number,
): Truncation | undefined {
  const reasons: string[] = [];
  let atStart = false;
  let atEnd = false;
  if (frags[0]!.framesBeforeFirstBlock) {
    atStart = true;
    reasons.push("it starts inside a goroutine block: stack frames come before the first goroutine header");
  }
  if (format === "debug2" && goroutines >= 2 && !frags.some((f) => f.sawMainGoroutine)) {
    atStart = true;
    reasons.push("goroutine 1 (main) is missing");
  }
  const last = frags[frags.length - 1]!;
  let blockCut: string | undefined;
  for (let i = frags.length - 1; i >= 0; i--) {
    const f = frags[i]!;
    if (f.goroutines === 0) continue;
    blockCut = f.lastBlockCut;
    if (blockCut?.startsWith(NO_CREATOR)) {
      const creators = f.creatorsBeforeLastBlock || frags.slice(0, i).some((e) => e.sawCreatedBy);
      blockCut = creators ? blockCut.slice(NO_CREATOR.length) : undefined;
    }
    break;
  }
  const endCut = last.trailerCut ?? blockCut;
  if (endCut !== undefined) {
    atEnd = true;
    reasons.push(endCut);
  }
  return reasons.length === 0 ? undefined : { atStart, atEnd, reasons };
}
