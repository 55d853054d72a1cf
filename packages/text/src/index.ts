// Dump text is data: these put it into terminals, Markdown and HTML so that it can never act as markup or
// as a terminal command, whatever a program (or its inputs) wrote into function names, paths or messages.

/** Longest piece of dump text one field prints; a 1 MiB function name must not make megabytes of report. */
export const DEFAULT_MAX_FIELD = 500;

/**
 * Shortens `s` to at most `max` characters (UTF-16 units), keeping its start and end, with a marker that says how
 * much was cut: `github.com/acme/…[+1,048,000 chars]…/pkg.(*T).Method`.
 */
export function cut(s: string, max: number = DEFAULT_MAX_FIELD): string {
  if (s.length <= max) return s;
  const keep = Math.max(8, max - 24);
  const head = Math.ceil(keep * 0.6);
  const tail = keep - head;
  const dropped = s.length - head - tail;
  return `${s.slice(0, head)}…[+${String(dropped).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} chars]…${tail > 0 ? s.slice(-tail) : ""}`;
}

// C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide text on screen
// (bidirectional overrides and isolates, zero-width joiners, the BOM): a terminal or a reader would act on them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const CONTROL_KEEP_LINES =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code === 0x09) return "\\t";
  if (code === 0x0a) return "\\n";
  if (code === 0x0d) return "\\r";
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Shows control characters as escapes (`ESC` → `\x1b`), so a dump printed to a terminal cannot clear the screen,
 * set the title or move the cursor. `lines: true` keeps tabs and newlines (multi-line text such as a stack);
 * a lone carriage return is always escaped because it overwrites the line on screen.
 */
export function escapeControl(s: string, opts: { lines?: boolean } = {}): string {
  return s.replace(opts.lines ? CONTROL_KEEP_LINES : CONTROL, escapeOne);
}

/** One field of dump text for a terminal or a plain-text file: control characters escaped, length capped. */
export function plain(s: string, max: number = DEFAULT_MAX_FIELD): string {
  return escapeControl(cut(s, max));
}

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML[c] ?? c);
}

// Everything Markdown (CommonMark + GitHub's extensions: tables, autolinks, strikethrough, math) could read as
// syntax inside an inline HTML element: the element's content is still parsed as Markdown.
const MD_INLINE = /[&<>"'|`*_~[\]()\\:@#!{}$^]/g;

/**
 * Dump text for a Markdown table cell or a sentence: `<code>…</code>` with every character Markdown or HTML
 * could act on written as an entity, so it cannot close the span, split a table cell, start a link or raw
 * HTML, whatever backticks or pipes it holds. Newlines become spaces (a cell is one line).
 */
export function mdCode(s: string, max: number = DEFAULT_MAX_FIELD): string {
  const text = escapeControl(cut(s, max).replace(/\r?\n/g, " "));
  return `<code>${text.replace(MD_INLINE, (c) => `&#${c.charCodeAt(0)};`)}</code>`;
}

/** Plain dump text in Markdown prose (not code): each syntax character backslash-escaped. */
export function mdText(s: string, max: number = DEFAULT_MAX_FIELD): string {
  const text = escapeControl(cut(s, max).replace(/\r?\n/g, " "));
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~:@$&^"']/g, (c) => `\\${c}`);
}

/**
 * A fenced code block holding `body` verbatim: the fence is longer than any run of backticks inside it, so no
 * line of the body can close it. Control characters are escaped; tabs and newlines kept.
 */
export function mdFence(body: string, info = ""): string {
  const text = escapeControl(body, { lines: true });
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  // An info string is one word of ours (`text`, `go`): never dump text.
  const lang = /^[A-Za-z0-9_-]*$/.test(info) ? info : "";
  return `${fence}${lang}\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}`;
}

/**
 * True when `uri` is a relative reference that stays where it is put: no scheme (`javascript:`, `http:`,
 * `data:`), no leading `/` or `//`, no `..` segment, no backslash or control character.
 */
export function isSafeRelativePath(uri: string): boolean {
  if (uri.length === 0 || uri.length > 4096) return false;
  if (/[\u0000-\u001f\u007f\\]/.test(uri)) return false;
  if (uri.startsWith("/")) return false;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) return false;
  return !uri.split("/").some((seg) => seg === "..");
}
