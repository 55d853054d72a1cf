// The filter: the query box, the controls that edit its text (minimum wait and count, severity, legend chips), and the counts it shows.
import { parseFilter, setTerm, termValues } from "@gosleuth/query";
import type { AppState } from "./app-state.ts";
import { $, clear, fmt, h } from "./dom.ts";
import { renderLegend as renderLegendInto } from "./legend.ts";
import { contextNodes } from "./state.ts";

export class FilterController {
  /** Only the latest query's answer is applied (answers can come back out of order). */
  private seq = 0;
  private typingTimer = 0;

  constructor(private readonly app: AppState) {
    $("filter").addEventListener("input", () => {
      clearTimeout(this.typingTimer);
      this.typingTimer = window.setTimeout(() => {
        this.typingTimer = 0;
        this.run(($("filter") as HTMLInputElement).value);
      }, 200);
    });
    $("min-wait").addEventListener("change", (e) => {
      const v = (e.target as HTMLInputElement).value.trim();
      this.editQuery("wait", v && Number(v) > 0 ? `>=${Number(v)}` : null);
    });
    $("min-count").addEventListener("change", (e) => {
      const v = (e.target as HTMLInputElement).value.trim();
      this.editQuery("count", v && Number(v) > 1 ? `>=${Number(v)}` : null);
    });
    $("severity-select").addEventListener("change", (e) => {
      const v = (e.target as HTMLSelectElement).value;
      this.editQuery("severity", v || null);
    });
  }

  /** Text typed in the query box waits out its pause before it runs. */
  get typing(): boolean {
    return this.typingTimer !== 0;
  }

  /** Runs a query: graph appearance, camera, list and counts follow it. */
  async apply(q: string): Promise<void> {
    const app = this.app;
    const seq = ++this.seq;
    app.setView({ q });
    const parsed = parseFilter(q);
    const errBox = $("filter-errors");
    clear(errBox);
    for (const e of parsed.errors) errBox.appendChild(h("div", null, `column ${e.start + 1}: ${e.message}`));
    const loaded = app.loaded;
    if (!loaded) return;
    const r = await app.client.query({ kind: "filter", query: q });
    if (seq !== this.seq) return;
    app.filterResult = parsed.terms.length > 0 ? r : null;
    const tree = app.tree;
    let match: Map<string, number> | null = null;
    if (app.filterResult) {
      match = new Map();
      for (const [id, m] of Object.entries(app.filterResult.nodes))
        match.set(tree.drawnId(id), (match.get(tree.drawnId(id)) ?? 0) + m);
    }
    app.setAppearance({
      match,
      context: match ? contextNodes(match, (id) => tree.byId.get(id)?.parent ?? null) : new Set(),
    });
    // The camera follows the filter: onto the selection while it matches, else back to the whole
    // (filtered) tree, so a filter never leaves the view on nodes it hid.
    const graph = app.graph;
    const sel = app.view.sel;
    if (graph && sel && graph.graph.hasNode(sel)) {
      if (graph.isShown(sel)) graph.focus(sel);
      else graph.fit();
    }
    app.list?.setData(
      loaded.groups.map((g) => ({
        group: g,
        matched: app.filterResult ? (r.groups[g.index] ?? 0) : g.count,
      })),
      loaded.frameTable,
      loaded.incidents,
    );
    this.renderCounts();
  }

  /** The "N of M goroutines match", group and node counts. */
  renderCounts(): void {
    const { loaded, graph, filterResult, list } = this.app;
    if (!loaded || !graph) return;
    const total = loaded.header.total;
    const mc = $("match-count");
    mc.textContent = filterResult ? `${fmt(filterResult.matched)} of ${fmt(total)} goroutines match` : "";
    $("list-count").textContent = `${fmt(list?.length ?? 0)} groups`;
    const all = loaded.nodes.length;
    const shown = filterResult ? Object.keys(filterResult.nodes).length : all;
    const drawn = graph.aggNodeCount;
    $("node-count").textContent =
      `${fmt(shown)} of ${fmt(all)} nodes${drawn !== all ? ` (${fmt(drawn)} drawn, the rest folded)` : ""}`;
    $("node-count").dataset.nodes = String(all);
    $("node-count").dataset.drawn = String(drawn);
    $("node-count").dataset.shown = String(shown);
  }

  /** Puts a query text into the box (a shared link, a changed hash) and runs it. */
  setQuery(q: string): void {
    ($("filter") as HTMLInputElement).value = q;
    this.run(q);
  }

  /** The controls are views of the query text: one term each. */
  private editQuery(key: "wait" | "count" | "severity" | "state", value: string | null): void {
    this.setQuery(setTerm(($("filter") as HTMLInputElement).value, key, value));
  }

  /** Runs the query in the box, and sets the controls and the legend from it. */
  private run(q: string): void {
    void this.apply(q);
    this.syncControls();
    this.renderLegend();
  }

  /** Sets the controls from the query text. */
  syncControls(): void {
    const q = this.app.view.q;
    const wait = termValues(q, "wait")[0] ?? "";
    ($("min-wait") as HTMLInputElement).value = /^>=\d+$/.test(wait)
      ? wait.slice(2)
      : /^\d+$/.test(wait)
        ? wait
        : "";
    const count = termValues(q, "count")[0] ?? "";
    ($("min-count") as HTMLInputElement).value = /^>=\d+$/.test(count) ? count.slice(2) : "";
    ($("severity-select") as HTMLSelectElement).value = termValues(q, "severity")[0] ?? "";
  }

  renderLegend(): void {
    const loaded = this.app.loaded;
    if (!loaded) return;
    renderLegendInto($("legend"), loaded, termValues(this.app.view.q, "state"), (next) =>
      this.editQuery("state", next.length > 0 ? next.join(",") : null),
    );
  }
}
