// `stacks --format html`: one self-contained page (inline style, no script, nothing fetched) to attach to
// an incident ticket. Every piece of dump text is escaped: it is shown as text, never read as markup.
import { escapeControl, escapeHtml } from "@gosleuth/text";
import {
  accessText,
  countText,
  crashedHeader,
  crashIntro,
  createdByGoroutine,
  createdText,
  goroutineRows,
  groupFacts,
  groupRows,
  idsText,
  labelsText,
  messageLine,
  moreGroupsText,
  onlyCrashed,
  type Row,
  raceRows,
  raceTitle,
  registerLines,
  SHARED_SHOWN,
  summaryLine,
  widths,
} from "./layout.ts";
import type { StacksReport } from "./report.ts";

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:75rem;padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:.6rem .8rem;overflow-x:auto;border-radius:6px}
.crash{color:#b42318;font-weight:600}.own{font-weight:600}.dependency{color:#0b6a8b}.stdlib{color:#6e7781}.note{color:#6e7781;font-style:italic}
details{margin:.4rem 0}summary{cursor:pointer}.meta{color:#57606a}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border:1px solid #d0d7de;text-align:left}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}pre{background:#161b22}.stdlib,.note,.meta{color:#8b949e}.dependency{color:#58a6ff}}
`;

function h(s: string): string {
  return escapeHtml(escapeControl(s, { lines: true }));
}

function rowsHtml(rows: readonly Row[], indent: string): string {
  const [wp, ww] = widths(rows);
  return rows
    .map((r) =>
      r.kind === "note"
        ? `${indent}<span class="note">${h(r.call)}</span>`
        : `${indent}<span class="${r.kind}">${h(r.pkg.padEnd(wp))}  ${h(r.where.padEnd(ww))}  ${h(r.call)}</span>`,
    )
    .join("\n");
}

export function renderHtml(r: StacksReport): string {
  const out: string[] = [];
  out.push(
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    // No script may run and nothing may load: the page is a document, whatever the dump holds.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>Stacks of ${h(r.input)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Stacks of <code>${h(r.input)}</code></h1>`,
    `<p class="meta">${h(summaryLine(r))}</p>`,
  );
  const crash = r.crash;
  if (crash) {
    out.push(
      "<h2>Crash</h2>",
      `<pre class="crash">${h(crash.message.split("\n").map(messageLine).join("\n"))}</pre>`,
    );
    for (const line of crashIntro(crash)) out.push(`<p>${h(line)}</p>`);
    if (crash.stack) {
      const cb = createdByGoroutine(crash.stack);
      out.push(
        `<pre><strong>${h(crashedHeader(crash.stack, crash.kind))}</strong>\n${rowsHtml(goroutineRows(crash.stack.frames, crash.stack.elided, r.pointerNames), "  ")}${cb ? `\n  <span class="note">${h(cb)}</span>` : ""}</pre>`,
      );
    }
    if (crash.runtimeStack.length > 0) {
      out.push(
        `<pre><strong>runtime stack:</strong>\n${rowsHtml(goroutineRows(crash.runtimeStack, [], r.pointerNames), "  ")}</pre>`,
      );
    }
    const regs = registerLines(crash);
    if (regs.length > 0)
      out.push(`<pre class="meta">registers (${crash.registers.length}):\n${h(regs.join("\n"))}</pre>`);
  }
  if (r.races.length > 0) {
    out.push(`<h2>Data races (${r.races.length})</h2>`);
    r.races.forEach((race, i) => {
      const body: string[] = [];
      for (const a of race.accesses) body.push(h(accessText(a)), rowsHtml(raceRows(a.frames), "  "));
      for (const g of race.goroutines) {
        body.push(h(`goroutine ${g.id} (${g.status}) created at:`), rowsHtml(raceRows(g.createdAt), "  "));
      }
      out.push(`<h3>${h(raceTitle(race, i))}</h3>`, `<pre>${body.join("\n")}</pre>`);
    });
  }
  if (r.pointerNames.size > 0) {
    out.push(
      "<h2>Shared values</h2><table><tr><th>name</th><th>value</th><th>goroutines</th><th>groups</th></tr>",
    );
    for (const [value, name] of [...r.pointerNames].slice(0, SHARED_SHOWN)) {
      const u = r.pointerUse.get(name)!;
      out.push(
        `<tr><td>${h(name)}</td><td><code>${h(value)}</code></td><td>${u.goroutines}</td><td>${u.groups}</td></tr>`,
      );
    }
    out.push("</table>");
  }
  if (r.groups.length > 0) out.push("<h2>Groups</h2>");
  for (const g of r.groups) {
    const labels = labelsText(g);
    const ids = idsText(g);
    const created = createdText(g);
    if (onlyCrashed(r, g)) {
      out.push(
        `<p><strong>${h(countText(g.count))}</strong> · ${h(groupFacts(g).join(" · "))}: goroutine ${g.ids[0]}, the one that crashed (its stack is above).</p>`,
      );
      continue;
    }
    out.push(
      `<details open><summary><strong>${h(countText(g.count))}</strong> · ${h(groupFacts(g).join(" · "))}</summary>`,
      `<pre>${ids ? `<span class="meta">${h(ids)}</span>\n` : ""}${labels ? `<span class="meta">${h(labels)}</span>\n` : ""}${rowsHtml(groupRows(g.frames, g.elided, r.pointerNames), "  ")}${created ? `\n<span class="note">${h(created)}</span>` : ""}</pre></details>`,
    );
  }
  if (r.omitted.groups > 0) {
    out.push(
      `<p class="meta">${h(`${moreGroupsText(r.omitted.groups)} (${countText(r.omitted.goroutines)}) not shown.`)}</p>`,
    );
  }
  out.push("</body></html>");
  return `${out.join("\n")}\n`;
}
