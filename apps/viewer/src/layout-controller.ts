// The graph toolbar: layout choice, ForceAtlas2 start/stop, fit, and the PNG and JSON exports.
import type { AppState } from "./app-state.ts";
import { $, h } from "./dom.ts";
import type { LayoutKind } from "./state.ts";

export class LayoutController {
  constructor(private readonly app: AppState) {
    $("layout-select").addEventListener("change", (e) =>
      this.setLayout((e.target as HTMLSelectElement).value as LayoutKind),
    );
    $("fa2-btn").addEventListener("click", () => {
      const graph = app.graph;
      if (!graph) return;
      if (graph.fa2Running()) graph.pauseFa2();
      else graph.startFa2();
      $("fa2-btn").textContent = graph.fa2Running() ? "Stop" : "Start";
    });
    $("fit-btn").addEventListener("click", () => app.graph?.fit());
    $("png-btn").addEventListener("click", () => {
      void app.graph?.exportPng(`${app.loaded?.header.name ?? "gosleuth"}-spawn-tree`);
    });
    $("json-btn").addEventListener("click", () => this.exportJson());
  }

  setLayout(kind: LayoutKind): void {
    const graph = this.app.graph;
    if (!graph) return;
    graph.applyLayout(kind);
    this.app.setView({ layout: kind });
    const btn = $("fa2-btn");
    btn.hidden = kind !== "fa2";
    btn.textContent = graph.fa2Running() ? "Stop" : "Start";
  }

  /** The nodes shown under the selection (or all), with the filter's counts, as a JSON download. */
  private exportJson(): void {
    const { graph, loaded, tree, view, filterResult } = this.app;
    if (!graph || !loaded) return;
    const root = view.sel && graph.graph.hasNode(view.sel) ? view.sel : null;
    const ids = graph.visibleNodes(root);
    const nodes = ids.map((id) => {
      const n = tree.byId.get(id);
      const matched = filterResult?.nodes[id];
      if (n) return { ...n, ...(matched !== undefined ? { matched } : {}) };
      return {
        id,
        parent: graph.parentOf(id),
        goroutine: id.startsWith("g:") ? Number(id.slice(2)) : undefined,
      };
    });
    const doc = { dump: loaded.header.name, filter: view.q, root, nodes };
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }));
    const a = h("a", { attrs: { href: url, download: `${loaded.header.name}-subtree.json` } });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
