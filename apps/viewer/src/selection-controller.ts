// Selection: a node, a goroutine, a group or an incident picked, its path highlighted and its details in the panel; expanding nodes into goroutines.
import type { AppState } from "./app-state.ts";
import { $, fmt } from "./dom.ts";
import type { FilterController } from "./filter-controller.ts";
import { REST_PREFIX } from "./fold-tree.ts";
import { goroutineNodeId } from "./graph-view.ts";
import { renderGroupPanel, renderIncidentPanel, renderPanel } from "./panel.ts";
import type { GroupView, IncidentView } from "./protocol.ts";
import { pathToRoot } from "./state.ts";

/** Goroutine nodes drawn when a node is expanded; the rest is one "+N more" node. */
const EXPAND_LIMIT = 2000;

export class SelectionController {
  constructor(
    private readonly app: AppState,
    private readonly filter: FilterController,
  ) {
    document.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || $("panel").hidden) return;
      this.close();
    });
  }

  /** Selects a graph node (`g:<id>` for an expanded goroutine, or a node with one of its goroutines). */
  async select(id: string, opts: { focus?: boolean; goroutineId?: number } = {}): Promise<void> {
    const app = this.app;
    const { graph, loaded, tree } = app;
    if (!graph || !loaded) return;
    if (id.startsWith("more:")) return;
    let nodeId = tree.drawnId(id);
    let gid = opts.goroutineId;
    if (id.startsWith("g:")) {
      gid = Number(id.slice(2));
      nodeId = graph.expandedNodeOf(id) ?? id;
    }
    const node = tree.byId.get(nodeId) ?? null;
    if (!node && gid === undefined) return;
    const graphSel =
      gid !== undefined && graph.graph.hasNode(goroutineNodeId(gid)) ? goroutineNodeId(gid) : nodeId;
    app.setView({ sel: graphSel });
    const path = pathToRoot(graphSel, (x) => graph.parentOf(x) ?? tree.byId.get(x)?.parent ?? null);
    app.setAppearance({ selected: graphSel, path: new Set(path), outlined: new Set() });
    if (opts.focus) graph.focus(graphSel);
    const sampleId = gid ?? node?.sampleIds[0];
    const client = app.client;
    const [detail, children, ancestry] = await Promise.all([
      sampleId !== undefined ? client.query({ kind: "goroutine", id: sampleId }) : Promise.resolve(null),
      gid !== undefined ? client.query({ kind: "children", id: gid, limit: 100 }) : Promise.resolve(null),
      gid !== undefined ? client.query({ kind: "path", id: gid }) : Promise.resolve([]),
    ]);
    renderPanel(
      $("panel"),
      {
        node,
        expanded: node ? graph.isExpanded(node.id) : false,
        goroutine: detail,
        focusGoroutine: gid !== undefined,
        childNodes:
          node && gid === undefined
            ? (tree.capped.folded.get(node.id) ?? tree.children.get(node.id) ?? [])
            : [],
        path: path.map((p) => ({ nodeId: p, label: this.labelOf(p) })),
        children,
        ancestry,
        findings: loaded.findings.filter((f) => node && f.nodeIds.includes(node.id)),
        complete: loaded.header.complete,
      },
      {
        select: (x) => void this.select(x, { focus: true }),
        selectGoroutine: (x) => void this.selectGoroutine(x),
        toggleExpand: (x) => void this.toggleExpand(x),
        close: () => this.close(),
      },
    );
    $("panel").dataset.node = graphSel;
  }

  private labelOf(id: string): string {
    const n = this.app.tree.byId.get(id);
    if (n) return n.ghost ? `ghost · ${n.function}` : `${fmt(n.count)} × ${n.function}`;
    return id.startsWith("g:") ? `goroutine ${id.slice(2)}` : id;
  }

  /** Selects a goroutine by id, on the node that holds it. */
  async selectGoroutine(id: number): Promise<void> {
    const hits = await this.app.client.query({ kind: "search", text: String(id), limit: 1 });
    const hit = hits[0];
    if (hit) await this.select(hit.nodeId, { focus: true, goroutineId: id });
  }

  close(): void {
    $("panel").hidden = true;
    this.app.setAppearance({ selected: null, path: new Set(), outlined: new Set() });
    this.app.setView({ sel: null });
  }

  /** An incident picked in the list: its nodes outlined together and in view, its evidence in the panel. */
  pickIncident(x: IncidentView): void {
    const { graph, tree, list } = this.app;
    if (!graph) return;
    list?.selectIncident(x.id);
    const ids = x.nodeIds.map((id) => tree.drawnId(id)).filter((id) => graph.graph.hasNode(id));
    this.app.setAppearance({ selected: null, path: new Set(), outlined: new Set(ids) });
    graph.fitNodes(ids);
    this.app.setView({ sel: null });
    renderIncidentPanel($("panel"), x, { close: () => this.close() });
    $("panel").dataset.node = `incident:${x.id}`;
  }

  async pickGroup(g: GroupView): Promise<void> {
    this.app.list?.select(g.index);
    const loaded = this.app.loaded;
    if (g.nodeId) await this.select(g.nodeId, { focus: true, goroutineId: g.sampleId });
    else if (loaded) {
      // A debug=1 group: no goroutine and no tree node behind it, only its stack and counts.
      renderGroupPanel($("panel"), g, loaded.frameTable, { close: () => this.close() });
      $("panel").dataset.node = `group:${g.index}`;
    }
  }

  /** Draws a node's goroutines (up to EXPAND_LIMIT) as nodes of their own. */
  async expand(nodeId: string): Promise<void> {
    const app = this.app;
    if (!app.graph) return;
    const r = await app.client.query({ kind: "members", nodeId, limit: EXPAND_LIMIT });
    await app.graph.expand(nodeId, r.members, r.total);
    app.setView({ exp: app.graph.expandedIds() });
  }

  /** Expands or collapses a node; on a fold node, draws all of its parent's children. */
  async toggleExpand(nodeId: string): Promise<void> {
    const app = this.app;
    const graph = app.graph;
    if (!graph) return;
    if (nodeId.startsWith(REST_PREFIX)) {
      const parent = nodeId.slice(REST_PREFIX.length);
      app.tree.unfold(parent);
      app.drawTree();
      // Handed to the graph by the filter, which runs next on the new tree.
      app.appearance = { ...app.appearance, selected: null, path: new Set() };
      await this.filter.apply(app.view.q);
      await this.select(parent || (app.tree.capped.nodes[0]?.id ?? ""), { focus: true });
      return;
    }
    if (graph.isExpanded(nodeId)) {
      graph.collapse(nodeId);
      app.setView({ exp: graph.expandedIds() });
    } else {
      await this.expand(nodeId);
    }
    this.filter.renderCounts();
    // The layout moved everything: show the whole tree again, with the node still selected.
    graph.fit();
    await this.select(nodeId);
  }
}
