// Prints the model back as debug=2 text; for raw runtime output the round trip is byte-exact.
import type { CreatedBy, Dump, Frame, Goroutine } from "@gosleuth/model";

function frameLines(f: Frame, out: string[]): void {
  out.push(f.bare ? f.fn.full : `${f.fn.full}(${f.args})`);
  let l = `${f.indent ?? "\t"}${f.file}:${f.line}`;
  if (f.offset !== undefined) l += ` +${f.offset}`;
  if (f.fp !== undefined || f.sp !== undefined) l += ` fp=${f.fp} sp=${f.sp} pc=${f.pc}`;
  else if (f.pc !== undefined) l += ` pc=${f.pc}`;
  out.push(l);
}

function createdByLines(c: CreatedBy, out: string[]): void {
  out.push(`created by ${c.fn.full}${c.parentId !== undefined ? ` in goroutine ${c.parentId}` : ""}`);
  if (c.file !== "")
    out.push(`${c.indent ?? "\t"}${c.file}:${c.line}${c.offset !== undefined ? ` +${c.offset}` : ""}`);
}

/** The header line of a goroutine, as the runtime prints it. */
export function formatHeader(g: Goroutine): string {
  let h = `goroutine ${g.idText ?? g.id}`;
  if (g.gp !== undefined) h += ` gp=${g.gp}`;
  if (g.m !== undefined) h += ` m=${g.m}`;
  if (g.mp !== undefined) h += ` mp=${g.mp}`;
  h += ` [${g.state}`;
  if (g.leaked) h += " (leaked)";
  if (g.scan) h += " (scan)";
  if (g.durable) h += " (durable)";
  if (g.waitMinutes > 0) h += `, ${g.waitMinutes} minutes`;
  if (g.lockedToThread) h += ", locked to thread";
  if (g.synctest) h += `, synctest ${g.synctest.kind} ${g.synctest.id}`;
  for (const x of g.extraState ?? []) h += `, ${x}`;
  if (g.labelsRaw?.position === "inside") h += ` labels:${g.labelsRaw.text}`;
  h += "]";
  if (g.labelsRaw?.position === "after") h += ` ${g.labelsRaw.text}`;
  const glued = (g as Goroutine & { glued?: string }).glued;
  return `${glued ?? ""}${h}:`;
}

function goroutineLines(g: Goroutine, out: string[]): void {
  out.push(formatHeader(g));
  let e = 0;
  for (let i = 0; i < g.frames.length; i++) {
    while (e < g.elided.length && g.elided[e]!.index === i) elision(g.elided[e++]!.count, out);
    frameLines(g.frames[i]!, out);
  }
  while (e < g.elided.length) elision(g.elided[e++]!.count, out);
  if (g.stackUnavailable) out.push("\tgoroutine running on other thread; stack unavailable");
  if (g.createdBy) createdByLines(g.createdBy, out);
  for (const a of g.ancestors) {
    out.push(`[originating from goroutine ${a.id}]:`);
    for (const f of a.frames) frameLines(f, out);
    if (a.elided) out.push("...additional frames elided...");
    if (a.createdBy) createdByLines(a.createdBy, out);
  }
}

function elision(count: number | null, out: string[]): void {
  out.push(count === null ? "...additional frames elided..." : `...${count} frames elided...`);
}

/** One goroutine block as debug=2 text (no trailing newline). */
export function formatGoroutine(g: Goroutine): string {
  const out: string[] = [];
  goroutineLines(g, out);
  return out.join("\n");
}

/** A whole dump as debug=2 text: preamble, blocks separated by blank lines, trailer. */
export function formatDump(dump: Dump): string {
  const out: string[] = [...dump.preamble.lines];
  dump.goroutines.forEach((g, i) => {
    // One by one: `push(...lines)` overflows the call for about 100,000 lines or more.
    if (g.leading !== undefined) for (const l of g.leading) out.push(l);
    else if (i > 0) out.push("");
    goroutineLines(g, out);
  });
  for (const l of dump.trailer ?? []) out.push(l);
  const text = out.join("\n");
  return dump.finalNewline && out.length > 0 ? `${text}\n` : text;
}
