// Decodes the debug=0 goroutine profile (gzipped protobuf, what `go tool pprof` fetches) into debug=1-style groups.
// Decoding is done by the maintained `pprof-format` package; this file only maps its Profile to the model.
import type { Diagnostic, GoroutineGroup, GroupFrame } from "@gosleuth/model";
import { Profile } from "pprof-format";
import { flat, functionName } from "./function-name.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * True when the first bytes look binary (control characters a text dump never starts with): a
 * protobuf profile, whose field order varies (Go writes period_type, tag 0x5a, first).
 */
export function isProfileProto(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  for (let i = 0; i < Math.min(16, b.length); i++) {
    const c = b[i]!;
    if (c < 0x09 || (c > 0x0d && c < 0x20)) return true;
  }
  return false;
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
        fr.file = flat(fn.file);
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
      all.push(...fr);
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
