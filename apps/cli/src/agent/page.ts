// The agent's `/` page: targets, their status and top findings; every piece of dump text goes in as text.
import { cut, escapeControl, escapeHtml } from "@gosleuth/text";
import type { Agent, TargetState } from "./agent.ts";

const esc = (s: string, max = 200) => escapeHtml(escapeControl(cut(s, max)));

function ago(d: Date | undefined, now: number): string {
  if (!d) return "never";
  const s = Math.round((now - d.getTime()) / 1000);
  return s < 120 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

function row(s: TargetState, now: number, viewer: boolean): string {
  const t = s.target;
  const labels = Object.entries(t.labels)
    .filter(([k]) => k !== "instance")
    .map(([k, v]) => `${esc(k, 60)}=${esc(v, 100)}`)
    .join(" ");
  const status =
    s.up === undefined
      ? `<span class="wait">waiting</span>`
      : s.up
        ? `<span class="up">up</span>`
        : `<span class="down">down: ${esc(s.reason ?? "")}</span><div class="err">${esc(s.error ?? "", 300)}</div>`;
  const sum = s.report?.summary;
  const counts = sum
    ? `<span class="high">${sum.high}</span> / ${sum.medium} / ${sum.low}`
    : s.groups
      ? `<span class="muted">${esc(s.format ?? "")}: no states or waits, no leak analysis</span>`
      : "";
  const top = (s.report?.findings ?? [])
    .filter((f) => f.count > 0 && f.severity !== "info")
    .slice(0, 3)
    .map(
      (f) =>
        `<li><span class="${f.severity}">${f.severity}</span> ${f.count} × <code>${esc(f.startFunction)}</code> [${esc(f.state, 60)}]${f.growth ? ` ${esc(f.growth.verdict)}` : ""}</li>`,
    )
    .join("");
  const q = encodeURIComponent(`/api/v1/snapshot?target=${encodeURIComponent(t.url)}`);
  const links = [
    `<a href="/api/v1/findings?target=${escapeHtml(encodeURIComponent(t.url))}">findings</a>`,
    viewer && s.removedAt === undefined ? `<a href="/viewer/?src=${escapeHtml(q)}">open in viewer</a>` : "",
  ]
    .filter(Boolean)
    .join(" · ");
  return `<tr><td><code>${esc(t.labels.instance ?? t.address)}</code><div class="muted">${labels}</div></td><td>${status}</td><td class="num">${s.goroutines ?? ""}</td><td>${counts}</td><td><ul>${top}</ul></td><td>${ago(s.scrapedAt, now)}</td><td>${links}</td></tr>`;
}

export function renderPage(agent: Agent, viewer: boolean): string {
  const now = Date.now();
  const states = [...agent.states.values()].sort(
    (a, b) =>
      (b.report?.summary.high ?? 0) - (a.report?.summary.high ?? 0) || (a.target.url < b.target.url ? -1 : 1),
  );
  const every = agent.o.every / 1000;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${Math.max(5, Math.round(every))}">
<title>gosleuth agent</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
code{font:12px ui-monospace,monospace;word-break:break-all}.muted{color:#777;font-size:12px}.num{text-align:right}
.up{color:#137333}.down,.high{color:#c5221f;font-weight:600}.medium{color:#b06000}.low{color:#555}.wait{color:#777}
.err{color:#777;font-size:12px;max-width:30em}ul{margin:0;padding-left:1em}
</style></head><body>
<h1>gosleuth agent</h1>
<p>${agent.active().length} targets, every ${every}s · <a href="/metrics">/metrics</a> · <a href="/api/v1/findings">/api/v1/findings</a></p>
<table><thead><tr><th>target</th><th>status</th><th>goroutines</th><th>high / medium / low</th><th>top findings</th><th>scraped</th><th></th></tr></thead>
<tbody>${states.map((s) => row(s, now, viewer)).join("\n")}</tbody></table>
</body></html>
`;
}
