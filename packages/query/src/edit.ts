// Editing a query's text the way the viewer's filter controls do, so the text stays the one truth.
import { type FilterKey, KEY_ALIASES, parseFilter, tokenize } from "./parse.ts";

function quote(v: string): string {
  return /[\s",]/.test(v) ? `"${v.replace(/["\\]/g, "\\$&")}"` : v;
}

/**
 * Replaces every (non-negated) term of `key` in the query by `key:value`, or removes them when
 * value is null, leaving the rest of the text as typed. The filter controls (state checkboxes,
 * minimum wait, count and severity) edit the query this way, so the text stays the one truth.
 */
export function setTerm(q: string, key: Exclude<FilterKey, "text">, value: string | null): string {
  const toks = tokenize(q);
  const kept: string[] = [];
  for (const tok of toks) {
    const colon = tok.text.indexOf(":");
    const k = colon > 0 ? KEY_ALIASES[tok.text.slice(0, colon).toLowerCase()] : undefined;
    if (k === key) continue;
    kept.push(q.slice(tok.start, tok.end));
  }
  if (value !== null) kept.push(`${key}:${value.split(",").map(quote).join(",")}`);
  return kept.join(" ");
}

/** The values of the first non-negated `key` term, for showing a control's current value. */
export function termValues(q: string, key: FilterKey): readonly string[] {
  const t = parseFilter(q).terms.find((x) => x.key === key && !x.negated);
  return t ? t.values : [];
}
