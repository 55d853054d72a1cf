// Decodes the debug=0 goroutine profile (gzipped protobuf, what `go tool pprof` fetches) into debug=1-style groups.
// Decoding is done by the maintained `pprof-format` package; this file only maps its Profile to the model.
import type { Diagnostic, GoroutineGroup, GroupFrame } from "@gosleuth/model";
import { Profile } from "pprof-format";
import { functionName, unsliced } from "./function-name.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The wire types each field of a pprof `Profile` message may have (0: varint, 2: length-delimited). */
const PROFILE_FIELDS: readonly (readonly number[] | undefined)[] = [
  undefined,
  [2], // 1 sample_type
  [2], // 2 sample
  [2], // 3 mapping
  [2], // 4 location
  [2], // 5 function
  [2], // 6 string_table
  [0], // 7 drop_frames
  [0], // 8 keep_frames
  [0], // 9 time_nanos
  [0], // 10 duration_nanos
  [2], // 11 period_type
  [0], // 12 period
  [0, 2], // 13 comment (packed or not)
  [0], // 14 default_sample_type
  [2], // 15 doc_url
];

/** A varint at `i`: [value, next index], or null when it runs past `end` or over 10 bytes. */
function varint(b: Uint8Array, i: number, end: number): [number, number] | null {
  let v = 0;
  let mul = 1;
  for (let k = 0; k < 10 && i < end; k++, i++) {
    const c = b[i]!;
    v += (c & 0x7f) * mul;
    if (c < 0x80) return [v, i + 1];
    mul *= 128;
  }
  return null;
}

/**
 * True when the first bytes are those of an uncompressed protobuf profile: binary (control characters
 * a text dump never starts with), and every field the head holds is a `Profile` field with its wire
 * type (Go writes period_type, tag 0x5a, first; other writers start elsewhere). An executable, an
 * image or random bytes fail at once and are then read as text (and reported as not a dump).
 */
export function isProfileProto(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  let binary = false;
  for (let i = 0; i < Math.min(16, b.length) && !binary; i++) {
    const c = b[i]!;
    if (c < 0x09 || (c > 0x0d && c < 0x20)) binary = true;
  }
  if (!binary) return false;
  const end = Math.min(b.length, 4096);
  let i = 0;
  let fields = 0;
  while (i < end && fields < 16) {
    const key = varint(b, i, end);
    if (key === null) return fields > 0 && end - i < 10;
    const field = Math.floor(key[0] / 8);
    const wire = key[0] % 8;
    if (!PROFILE_FIELDS[field]?.includes(wire)) return false;
    const value = varint(b, key[1], end);
    if (value === null) return fields > 0 && end - key[1] < 10;
    i = wire === 2 ? value[1] + value[0] : value[1];
    fields++;
  }
  return fields > 0;
}

export interface Debug0Result {
  profileName: string;
  total: number;
  groups: GoroutineGroup[];
  diagnostics: Diagnostic[];
}

const num = (v: number | bigint): number => Number(v);

/**
 * Maps a decoded profile to groups the way `debug=1` prints them: frames innermost first (inlined
 * lines of one location expanded), leading runtime frames and the final runtime.goexit dropped unless
 * the stack is runtime-only, labels from the samples' string (and numeric) labels.
 */
export function decodeDebug0(bytes: Uint8Array): Debug0Result {
  const diagnostics: Diagnostic[] = [];
  let p: Profile;
  try {
    p = Profile.decode(bytes);
  } catch (e) {
    diagnostics.push({
      severity: "error",
      line: 0,
      message: `@gosleuth/parser: the protobuf profile could not be decoded (${(e as Error).message}); is the file truncated?`,
      text: "",
    });
    return { profileName: "goroutine", total: 0, groups: [], diagnostics };
  }
  const str = (i: number | bigint): string => p.stringTable.strings[num(i)] ?? "";
  const functions = new Map<number, { name: string; file: string }>();
  for (const f of p.function) functions.set(num(f.id), { name: str(f.name), file: str(f.filename) });
  const locations = new Map<number, GroupFrame[]>();
  for (const loc of p.location) {
    const pc = `0x${num(loc.address).toString(16)}`;
    const frames: GroupFrame[] = [];
    for (const line of loc.line) {
      const fn = functions.get(num(line.functionId));
      const fr: Mutable<GroupFrame> = { pc };
      if (fn) {
        fr.fn = functionName(fn.name);
        fr.file = unsliced(fn.file);
        fr.line = num(line.line);
      }
      frames.push(fr);
    }
    if (frames.length === 0) frames.push({ pc });
    locations.set(num(loc.id), frames);
  }
  const profileName = p.sampleType[0] ? str(p.sampleType[0].type) || "goroutine" : "goroutine";
  const groups: GoroutineGroup[] = [];
  let total = 0;
  p.sample.forEach((s, i) => {
    const count = num(s.value[0] ?? 0);
    total += count;
    const all: GroupFrame[] = [];
    const pcs: string[] = [];
    for (const id of s.locationId) {
      const fr = locations.get(num(id));
      if (!fr) {
        diagnostics.push({
          severity: "warning",
          line: 0,
          message: `@gosleuth/parser: sample ${i + 1} names a missing location ${id}`,
          text: "",
        });
        continue;
      }
      pcs.push(fr[0]!.pc);
      for (const f of fr) all.push(f);
    }
    const isRuntime = (f: GroupFrame) => (f.fn?.full ?? "").startsWith("runtime.");
    let frames = all;
    if (!all.every(isRuntime)) {
      let start = 0;
      while (start < all.length && isRuntime(all[start]!)) start++;
      let end = all.length;
      if (end > start && all[end - 1]!.fn?.full === "runtime.goexit") end--;
      frames = all.slice(start, end);
    }
    const g: Mutable<GoroutineGroup> = {
      kind: "group",
      count,
      pcs,
      frames,
      lines: { start: 0, end: 0 },
      dumpIndex: 0,
    };
    if (s.label.length > 0) {
      const labels: Record<string, string> = {};
      for (const l of s.label) labels[str(l.key)] = num(l.str) !== 0 ? str(l.str) : String(num(l.num));
      g.labels = labels;
    }
    groups.push(g);
  });
  const unnamed = groups.reduce((a, g) => a + g.frames.filter((f) => !f.fn || f.fn.full === "").length, 0);
  if (unnamed > 0) {
    diagnostics.push({
      severity: "warning",
      line: 0,
      message: `@gosleuth/parser: ${unnamed} frames have no function name: the profile looks truncated or was written without symbols`,
      text: "",
    });
  }
  groups.sort((a, b) => b.count - a.count);
  return { profileName, total, groups, diagnostics };
}
