// The viewer page: loading, header, filter and search, and wiring between the worker, the graph, the list and the panel.

import { parseFilter, setTerm, termValues } from "@gosleuth/query";
import { WorkerClient } from "./client.ts";
import { $, clear, fmt, h } from "./dom.ts";
import { DrawnTree } from "./drawn-tree.ts";
import { REST_PREFIX } from "./fold-tree.ts";
import { GraphView, goroutineNodeId } from "./graph-view.ts";
import { renderIncident } from "./incident-view.ts";
import { wireInputs } from "./inputs.ts";
import { renderLegend as renderLegendInto } from "./legend.ts";
import { ListView } from "./list-view.ts";
import { renderGroupPanel, renderIncidentPanel, renderPanel } from "./panel.ts";
import type { FilterResult, GroupView, IncidentView, Loaded, LoadSource, SearchHit } from "./protocol.ts";
import {
  type Appearance,
  contextNodes,
  DEFAULT_VIEW,
  EMPTY_APPEARANCE,
  formatHash,
  type LayoutKind,
  parseHash,
  pathToRoot,
  type ViewState,
} from "./state.ts";

/** Goroutine nodes drawn when a node is expanded; the rest is one "+N more" node. */
const EXPAND_LIMIT = 2000;

// The script runs, so the page was served: the note for a page opened from file:// goes.
$("file-note").hidden = true;

const client = new WorkerClient();
let loaded: Loaded | null = null;
let tree = new DrawnTree([]);

function drawTree(): void {
  if (!loaded || !graph) return;
  graph.setTree(tree.fold());
}
let view: ViewState = parseHash(location.hash);
let filterResult: FilterResult | null = null;
let appearance: Appearance = EMPTY_APPEARANCE;
let search: { text: string; hits: readonly SearchHit[]; at: number } | null = null;
let graph: GraphView | null = null;
let list: ListView | null = null;
let filterSeq = 0;

const body = document.body;
body.dataset.state = "empty";

function setView(next: Partial<ViewState>): void {
  view = { ...view, ...next };
  const hash = formatHash(view);
  if (hash !== location.hash && !(hash === "" && location.hash === "")) {
    history.replaceState(null, "", hash || `${location.pathname}${location.search}`);
  }
}

// ---------------------------------------------------------------- loading

function showError(msg: string): void {
  body.dataset.state = "error";
  $("progress").hidden = true;
  $("landing").hidden = false;
  if (!loaded) $("app").hidden = true;
  $("load-error").textContent = msg;
}

/** Shows the app and creates the list; the graph comes from `ensureGraph`. */
function ensureViews(): void {
  $("landing").hidden = true;
  $("app").hidden = false;
  if (!list)
    list = new ListView(
      $("list"),
      (g) => void pickGroup(g),
      (x) => pickIncident(x),
    );
}

/**
 * WebGL brought up in a short-lived worker of its own (gl-warm.ts) as soon as the page starts: the
 * first WebGL context of the page waits for the GPU side to come up, which on software GL was the
 * page's longest task when a throwaway context on the main thread did it. Resolves when the worker
 * is done (or failed, or after 3 s), and the worker is ended then.
 */
const glWarm: Promise<void> = new Promise<void>((resolve) => {
  let w: Worker;
  try {
    w = new Worker(new URL("./gl-warm.ts", import.meta.url), { type: "module", name: "gosleuth-gl-warm" });
  } catch {
    resolve();
    return;
  }
  const done = () => {
    w.terminate();
    resolve();
  };
  w.addEventListener("message", (e: MessageEvent<{ result: string; ms: number }>) => {
    performance.mark("gosleuth:gl-warm", { detail: e.data });
    done();
  });
  w.addEventListener("error", done);
  setTimeout(done, 3000);
});

/**
 * Creates sigma (WebGL contexts and shader programs). Called in a task of its own while the
 * worker parses, then `prepare` compiles and first-draws the other programs in further small
 * tasks: on software GL this is several hundred milliseconds of main-thread work in all, which
 * would otherwise delay the first frame or freeze the page in one piece.
 */
function ensureGraph(): GraphView | null {
  // A load that failed hid the app again: sigma needs a container with a size, so wait for a dump.
  if (!graph && body.dataset.state === "error") return null;
  ensureViews();
  if (!graph) {
    graph = new GraphView($("graph"), {
      onClickNode: (id) => void select(id),
      onClickStage: () => {},
    });
    // The observer's first call reports the size sigma was just created with: skip it (a resize redraws everything).
    let first = true;
    new ResizeObserver(() => {
      if (!first) graph?.resize();
      first = false;
    }).observe($("graph"));
    performance.mark("gosleuth:sigma-created");
    void graph.prepare().then(() => performance.mark("gosleuth:sigma-prepared"));
  }
  return graph;
}

async function openSource(source: LoadSource): Promise<void> {
  $("load-error").textContent = "";
  ensureViews();
  // Sigma is created in a task of its own once the load has started and WebGL is up (glWarm).
  void glWarm.then(() => setTimeout(ensureGraph, 0));
  body.dataset.state = "loading";
  const progress = $("progress");
  progress.hidden = false;
  const fill = $("progress-fill");
  const text = $("progress-text");
  fill.style.width = "0%";
  text.textContent = "Reading…";
  try {
    const res = await client.open(source, {
      onProgress(bytes, total, goroutines) {
        fill.style.width = total ? `${Math.min(100, (100 * bytes) / total).toFixed(1)}%` : "100%";
        const mb = (bytes / 1048576).toFixed(1);
        text.textContent = `${mb} MB${total ? ` of ${(total / 1048576).toFixed(1)} MB` : ""} · ${fmt(goroutines)} goroutines`;
      },
    });
    progress.hidden = true;
    if (!res) {
      body.dataset.state = loaded ? "ready" : "empty";
      if (!loaded) {
        $("app").hidden = true;
        $("landing").hidden = false;
      }
      return;
    }
    show(res);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
}

function formatName(format: string): string {
  return format.startsWith("debug") ? format.replace("debug", "debug=") : format;
}

function show(res: Loaded): void {
  performance.mark("gosleuth:loaded");
  loaded = res;
  tree = new DrawnTree(res.nodes);
  ensureGraph();
  body.dataset.format = res.header.format;
  // A race report has no goroutines: its races are the whole page.
  if (res.header.total === 0 && res.header.races.length > 0) body.dataset.onlyIncident = "";
  else delete body.dataset.onlyIncident;
  renderIncident($("incident"), res.header, {
    selectGoroutine: (id) => void selectGoroutine(id),
    goroutine: (id) => client.query({ kind: "goroutine", id }),
  });
  $("dump-name").textContent = res.header.name;
  const races = res.header.races.reduce((n, r) => n + r.count, 0);
  $("dump-summary").textContent =
    res.header.total === 0 && races > 0
      ? `${formatName(res.header.format)} · ${fmt(races)} data race${races === 1 ? "" : "s"}`
      : `${formatName(res.header.format)} · ${fmt(res.header.total)} goroutine${res.header.total === 1 ? "" : "s"}`;
  $("dump-summary").title =
    `${fmt(res.header.bytes)} bytes read in ${fmt(res.header.parseMs)} ms; ${res.header.diagnostics.length} parser diagnostics`;
  // Notes from the viewer itself (line 0): a package that failed or a tree that could not be matched.
  const notes = $("notes");
  clear(notes);
  for (const d of res.header.diagnostics.filter((x) => x.line === 0))
    notes.appendChild(h("div", null, d.message));
  // The parser's own findings about the input (unparsed lines, repairs), with their line numbers.
  const parserNotes = res.header.diagnostics.filter((x) => x.line > 0 && x.severity !== "info");
  for (const d of parserNotes.slice(0, 3))
    notes.appendChild(
      h("div", null, /\bline \d/.test(d.message) ? d.message : `line ${fmt(d.line)}: ${d.message}`),
    );
  if (parserNotes.length > 3)
    notes.appendChild(h("div", null, `… and ${fmt(parserNotes.length - 3)} more parser notes`));
  if (!graph || !list) return;
  const layout = view.layout;
  ($("layout-select") as HTMLSelectElement).value = layout;
  drawTree();
  performance.mark("gosleuth:tree-set");
  if (layout !== "tree") setLayout(layout);
  ($("filter") as HTMLInputElement).value = view.q;
  syncControls();
  renderLegend();
  body.dataset.state = "ready";
  performance.mark("gosleuth:shown");
  void (async () => {
    for (const id of view.exp) if (tree.byId.has(id)) await expand(id);
    await applyFilter(view.q);
    performance.mark("gosleuth:filtered");
    if (view.sel) await select(view.sel, { focus: true });
    else renderCounts();
  })();
}

// ---------------------------------------------------------------- filter

async function applyFilter(q: string): Promise<void> {
  const seq = ++filterSeq;
  setView({ q });
  const parsed = parseFilter(q);
  const errBox = $("filter-errors");
  clear(errBox);
  for (const e of parsed.errors) errBox.appendChild(h("div", null, `column ${e.start + 1}: ${e.message}`));
  if (!loaded) return;
  const r = await client.query({ kind: "filter", query: q });
  if (seq !== filterSeq) return;
  filterResult = parsed.terms.length > 0 ? r : null;
  let match: Map<string, number> | null = null;
  if (filterResult) {
    match = new Map();
    for (const [id, m] of Object.entries(filterResult.nodes))
      match.set(tree.drawnId(id), (match.get(tree.drawnId(id)) ?? 0) + m);
  }
  appearance = {
    ...appearance,
    match,
    context: match ? contextNodes(match, (id) => tree.byId.get(id)?.parent ?? null) : new Set(),
  };
  graph?.setAppearance(appearance);
  // The camera follows the filter: onto the selection while it matches, else back to the whole
  // (filtered) tree, so a filter never leaves the view on nodes it hid.
  if (graph && view.sel && graph.graph.hasNode(view.sel)) {
    if (graph.isShown(view.sel)) graph.focus(view.sel);
    else graph.fit();
  }
  list?.setData(
    loaded.groups.map((g) => ({ group: g, matched: filterResult ? (r.groups[g.index] ?? 0) : g.count })),
    loaded.frameTable,
    loaded.incidents,
  );
  renderCounts();
}

function renderCounts(): void {
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

let filterTimer = 0;
$("filter").addEventListener("input", () => {
  clearTimeout(filterTimer);
  filterTimer = window.setTimeout(() => {
    void applyFilter(($("filter") as HTMLInputElement).value);
    syncControls();
    renderLegend();
  }, 200);
});

function editQuery(key: "wait" | "count" | "severity" | "state", value: string | null): void {
  const input = $("filter") as HTMLInputElement;
  input.value = setTerm(input.value, key, value);
  void applyFilter(input.value);
  syncControls();
  renderLegend();
}

function syncControls(): void {
  const q = view.q;
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

$("min-wait").addEventListener("change", (e) => {
  const v = (e.target as HTMLInputElement).value.trim();
  editQuery("wait", v && Number(v) > 0 ? `>=${Number(v)}` : null);
});
$("min-count").addEventListener("change", (e) => {
  const v = (e.target as HTMLInputElement).value.trim();
  editQuery("count", v && Number(v) > 1 ? `>=${Number(v)}` : null);
});
$("severity-select").addEventListener("change", (e) => {
  const v = (e.target as HTMLSelectElement).value;
  editQuery("severity", v || null);
});

function renderLegend(): void {
  if (!loaded) return;
  renderLegendInto($("legend"), loaded, termValues(view.q, "state"), (next) =>
    editQuery("state", next.length > 0 ? next.join(",") : null),
  );
}

// ---------------------------------------------------------------- selection and panel

async function select(id: string, opts: { focus?: boolean; goroutineId?: number } = {}): Promise<void> {
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
  setView({ sel: graphSel });
  const path = pathToRoot(graphSel, (x) => graph?.parentOf(x) ?? tree.byId.get(x)?.parent ?? null);
  appearance = { ...appearance, selected: graphSel, path: new Set(path), outlined: new Set() };
  graph.setAppearance(appearance);
  if (opts.focus) graph.focus(graphSel);
  const sampleId = gid ?? node?.sampleIds[0];
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
      path: path.map((p) => ({ nodeId: p, label: labelOf(p) })),
      children,
      ancestry,
      findings: loaded.findings.filter((f) => node && f.nodeIds.includes(node.id)),
      complete: loaded.header.complete,
    },
    {
      select: (x) => void select(x, { focus: true }),
      selectGoroutine: (x) => void selectGoroutine(x),
      toggleExpand: (x) => void toggleExpand(x),
      close: closePanel,
    },
  );
  $("panel").dataset.node = graphSel;
}

function labelOf(id: string): string {
  const n = tree.byId.get(id);
  if (n) return n.ghost ? `ghost · ${n.function}` : `${fmt(n.count)} × ${n.function}`;
  return id.startsWith("g:") ? `goroutine ${id.slice(2)}` : id;
}

async function selectGoroutine(id: number): Promise<void> {
  const hits = await client.query({ kind: "search", text: String(id), limit: 1 });
  const hit = hits[0];
  if (hit) await select(hit.nodeId, { focus: true, goroutineId: id });
}

function closePanel(): void {
  $("panel").hidden = true;
  appearance = { ...appearance, selected: null, path: new Set(), outlined: new Set() };
  graph?.setAppearance(appearance);
  setView({ sel: null });
}

/** An incident picked in the list: its nodes outlined together and in view, its evidence in the panel. */
function pickIncident(x: IncidentView): void {
  if (!graph) return;
  list?.selectIncident(x.id);
  const ids = x.nodeIds.map((id) => tree.drawnId(id)).filter((id) => graph?.graph.hasNode(id));
  appearance = { ...appearance, selected: null, path: new Set(), outlined: new Set(ids) };
  graph.setAppearance(appearance);
  graph.fitNodes(ids);
  setView({ sel: null });
  renderIncidentPanel($("panel"), x, { close: closePanel });
  $("panel").dataset.node = `incident:${x.id}`;
}

async function pickGroup(g: GroupView): Promise<void> {
  list?.select(g.index);
  if (g.nodeId) await select(g.nodeId, { focus: true, goroutineId: g.sampleId });
  else if (loaded) {
    // A debug=1 group: no goroutine and no tree node behind it, only its stack and counts.
    renderGroupPanel($("panel"), g, loaded.frameTable, { close: closePanel });
    $("panel").dataset.node = `group:${g.index}`;
  }
}

async function expand(nodeId: string): Promise<void> {
  if (!graph) return;
  const r = await client.query({ kind: "members", nodeId, limit: EXPAND_LIMIT });
  graph.expand(nodeId, r.members, r.total);
  setView({ exp: graph.expandedIds() });
}

async function toggleExpand(nodeId: string): Promise<void> {
  if (!graph) return;
  if (nodeId.startsWith(REST_PREFIX)) {
    // A fold node: draw all of that parent's children from now on.
    const parent = nodeId.slice(REST_PREFIX.length);
    tree.unfold(parent);
    drawTree();
    appearance = { ...appearance, selected: null, path: new Set() };
    await applyFilter(view.q);
    await select(parent || (tree.capped.nodes[0]?.id ?? ""), { focus: true });
    return;
  }
  if (graph.isExpanded(nodeId)) {
    graph.collapse(nodeId);
    setView({ exp: graph.expandedIds() });
  } else {
    await expand(nodeId);
  }
  renderCounts();
  // The layout moved everything: show the whole tree again, with the node still selected.
  graph.fit();
  await select(nodeId);
}

// ---------------------------------------------------------------- search

async function runSearch(text: string): Promise<void> {
  if (!loaded || !graph) return;
  const t = text.trim();
  if (!t) {
    search = null;
    appearance = { ...appearance, searchHits: new Set() };
    graph.setAppearance(appearance);
    $("search").title = "";
    return;
  }
  if (!search || search.text !== t) {
    const hits = await client.query({ kind: "search", text: t, limit: 200 });
    search = { text: t, hits, at: 0 };
  } else {
    search = { ...search, at: (search.at + 1) % Math.max(1, search.hits.length) };
  }
  appearance = { ...appearance, searchHits: new Set(search.hits.map((x) => tree.drawnId(x.nodeId))) };
  graph.setAppearance(appearance);
  const hit = search.hits[search.at];
  $("search").title = search.hits.length
    ? `match ${search.at + 1} of ${search.hits.length} (Enter for next)`
    : "no match";
  $("search").classList.toggle("no-match", search.hits.length === 0);
  if (hit)
    await select(hit.nodeId, {
      focus: true,
      ...(hit.goroutineId !== undefined ? { goroutineId: hit.goroutineId } : {}),
    });
}

document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || $("panel").hidden) return;
  closePanel();
});

$("search").addEventListener("keydown", (e) => {
  if ((e as KeyboardEvent).key === "Enter") void runSearch(($("search") as HTMLInputElement).value);
});

// ---------------------------------------------------------------- toolbar

function setLayout(kind: LayoutKind): void {
  if (!graph) return;
  graph.applyLayout(kind);
  setView({ layout: kind });
  const btn = $("fa2-btn");
  btn.hidden = kind !== "fa2";
  btn.textContent = graph.fa2Running() ? "Stop" : "Start";
}

$("layout-select").addEventListener("change", (e) =>
  setLayout((e.target as HTMLSelectElement).value as LayoutKind),
);
$("fa2-btn").addEventListener("click", () => {
  if (!graph) return;
  if (graph.fa2Running()) graph.pauseFa2();
  else graph.startFa2();
  $("fa2-btn").textContent = graph.fa2Running() ? "Stop" : "Start";
});
$("fit-btn").addEventListener("click", () => graph?.fit());
$("png-btn").addEventListener("click", () => {
  void graph?.exportPng(`${loaded?.header.name ?? "gosleuth"}-spawn-tree`);
});
$("json-btn").addEventListener("click", () => {
  if (!graph || !loaded) return;
  const root = view.sel && graph.graph.hasNode(view.sel) ? view.sel : null;
  const ids = graph.visibleNodes(root);
  const nodes = ids.map((id) => {
    const n = tree.byId.get(id);
    const matched = filterResult?.nodes[id];
    if (n) return { ...n, ...(matched !== undefined ? { matched } : {}) };
    return {
      id,
      parent: graph?.parentOf(id) ?? null,
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
});

// ---------------------------------------------------------------- input: picker, drop, paste, URL

wireInputs({ open: (source) => void openSource(source), cancel: () => client.cancel() });
window.addEventListener("hashchange", () => {
  const next = parseHash(location.hash);
  if (next.q !== view.q) {
    ($("filter") as HTMLInputElement).value = next.q;
    void applyFilter(next.q);
    syncControls();
    renderLegend();
  }
  if (next.layout !== view.layout) setLayout(next.layout);
  if (next.sel && next.sel !== view.sel) void select(next.sel, { focus: true });
  view = { ...view, ...next, exp: view.exp };
});

// `gosleuth view` opens the page as `/?src=/dump`; `?url=` is accepted too, same origin only.
const params = new URLSearchParams(location.search);
const src = params.get("src") ?? params.get("url");
if (src) void openSource({ kind: "url", url: src });

// Read-only hooks for the browser tests and the benchmark (no dump data is exposed beyond what is drawn).
Object.assign(window, {
  gosleuth: {
    nodePosition: (id: string) => graph?.viewportPosition(id) ?? null,
    labelBoxes: () => graph?.labelBoxes() ?? [],
    lastExport: () => graph?.lastExport ?? null,
    canvasSize: () => {
      const r = $("graph").getBoundingClientRect();
      return { width: r.width, height: r.height };
    },
    focus: (id: string, ratio?: number) => graph?.focus(id, ratio),
    nodeIds: () => (graph ? graph.graph.nodes() : []),
    shownNodeIds: () => (graph ? graph.visibleNodes(null) : []),
    aggNodeCount: () => graph?.aggNodeCount ?? 0,
    outlined: () => [...appearance.outlined],
    view: () => ({ ...view, default: DEFAULT_VIEW }),
  },
});
