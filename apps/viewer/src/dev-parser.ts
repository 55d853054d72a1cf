// TEMPORARY stand-in for @gosleuth/parser's parseStream (debug=2 text only), used until the real parser lands.
import type { DumpInfo, FunctionName, Goroutine, StateClass, StreamItem } from "@gosleuth/model";

const HEADER = /^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[([^\]]*)\]:\s*$/;
const FILE = /^\s+(.*):(\d+)(?: \+(0x[0-9a-f]+))?(?: fp=.*)?$/;

function fn(full: string): FunctionName {
  return { full, pkg: "", name: full, generic: full.includes("[...]"), suffixes: [] };
}

function classify(s: string): StateClass {
  const t = s.toLowerCase();
  if (t.startsWith("running")) return "running";
  if (t.startsWith("runnable")) return "runnable";
  if (t.startsWith("syscall")) return "syscall";
  if (t.startsWith("io wait")) return "io-wait";
  if (t.startsWith("sleep")) return "sleep";
  if (t.includes("nil chan")) return "chan-nil";
  if (t.startsWith("chan receive")) return "chan-receive";
  if (t.startsWith("chan send")) return "chan-send";
  if (t.startsWith("select (no cases)")) return "select-no-cases";
  if (t.startsWith("select")) return "select";
  if (t.includes("rwmutex")) return "rwmutex";
  if (t.includes("mutex")) return "mutex";
  if (t.includes("cond.wait")) return "cond";
  if (t.includes("waitgroup")) return "waitgroup";
  if (t.startsWith("semacquire")) return "semacquire";
  if (t.includes("gc") || t.includes("sweep") || t.includes("scaveng")) return "gc";
  if (t.startsWith("idle")) return "idle";
  if (t.startsWith("finalizer") || t.includes("timer") || t.includes("trace")) return "runtime";
  return "unknown";
}

function parseText(text: string): { goroutines: Goroutine[]; lines: number } {
  const lines = text.split(/\r?\n/);
  const out: Goroutine[] = [];
  let i = 0;
  while (i < lines.length) {
    const m = HEADER.exec(lines[i]!);
    if (!m) {
      i++;
      continue;
    }
    const start = i + 1;
    const parts = m[2]!.split(", ");
    let state = parts[0]!;
    const leaked = state.includes(" (leaked)");
    state = state.replace(" (leaked)", "").replace(" (scan)", "");
    let wait = 0;
    let locked = false;
    for (const p of parts.slice(1)) {
      const w = /^(\d+) minutes$/.exec(p);
      if (w) wait = Number(w[1]);
      if (p === "locked to thread") locked = true;
    }
    const frames: Goroutine["frames"][number][] = [];
    const elided: { index: number; count: number | null }[] = [];
    let createdBy: Goroutine["createdBy"];
    i++;
    while (i < lines.length && lines[i]!.trim() !== "") {
      const l = lines[i]!;
      if (HEADER.test(l)) break;
      const el = /^\.\.\.(\d+|additional) frames elided\.\.\.$/.exec(l.trim());
      if (el) {
        elided.push({ index: frames.length, count: el[1] === "additional" ? null : Number(el[1]) });
        i++;
        continue;
      }
      const cb = /^created by (\S+)(?: in goroutine (\d+))?$/.exec(l);
      const f = FILE.exec(lines[i + 1] ?? "");
      if (cb) {
        createdBy = {
          fn: fn(cb[1]!),
          ...(cb[2] ? { parentId: Number(cb[2]) } : {}),
          file: f ? f[1]! : "?",
          line: f ? Number(f[2]) : 0,
        };
        i += f ? 2 : 1;
        continue;
      }
      const open = l.lastIndexOf("(");
      const name = open > 0 && l.endsWith(")") ? l.slice(0, open) : l;
      const args = open > 0 && l.endsWith(")") ? l.slice(open + 1, -1) : "";
      frames.push({
        fn: fn(name),
        args,
        inlined: args === "...",
        file: f ? f[1]! : "?",
        line: f ? Number(f[2]) : 0,
        ...(f?.[3] ? { offset: f[3] } : {}),
      });
      i += f ? 2 : 1;
    }
    out.push({
      kind: "goroutine",
      id: Number(m[1]),
      state,
      stateClass: classify(state),
      waitMinutes: wait,
      lockedToThread: locked,
      leaked,
      scan: false,
      durable: false,
      frames,
      elided,
      stackUnavailable: false,
      ...(createdBy ? { createdBy } : {}),
      ancestors: [],
      lines: { start, end: i },
      dumpIndex: 0,
    });
  }
  return { goroutines: out, lines: lines.length };
}

export function devParseStream(
  source: ReadableStream<Uint8Array>,
): AsyncIterable<StreamItem> & { info: Promise<DumpInfo> } {
  let resolveInfo!: (i: DumpInfo) => void;
  const info = new Promise<DumpInfo>((r) => {
    resolveInfo = r;
  });
  return {
    info,
    async *[Symbol.asyncIterator]() {
      const text = await new Response(source).text();
      const { goroutines, lines } = parseText(text);
      for (const g of goroutines) yield g;
      resolveInfo({
        format: goroutines.length ? "debug2" : "unknown",
        preamble: { lines: [], panics: [], fatal: [], runtimeLines: [] },
        registers: [],
        races: [],
        diagnostics: goroutines.length
          ? []
          : [{ severity: "error", line: 1, message: "@gosleuth/parser: not a goroutine dump", text: "" }],
        bytes: text.length,
        lineCount: lines,
        dumpCount: 1,
      });
    },
  };
}
