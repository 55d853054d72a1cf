// The viewer page's entry: creates the state and the controllers, wires the inputs, the URL hash and the test hooks.
import { AppState } from "./app-state.ts";
import { $ } from "./dom.ts";
import { FilterController } from "./filter-controller.ts";
import { wireInputs } from "./inputs.ts";
import { LayoutController } from "./layout-controller.ts";
import { LoadController } from "./load-controller.ts";
import { SearchController } from "./search-controller.ts";
import { SelectionController } from "./selection-controller.ts";
import { DEFAULT_VIEW, parseHash } from "./state.ts";

// The script runs, so the page was served: the note for a page opened from file:// goes.
$("file-note").hidden = true;

const app = new AppState();
app.layout.start();
const filter = new FilterController(app);
const selection = new SelectionController(app, filter);
new SearchController(app, selection);
const layout = new LayoutController(app);
const loader = new LoadController(app, { filter, selection, layout });

wireInputs({ open: (source) => void loader.open(source), cancel: () => app.client.cancel() });
window.addEventListener("hashchange", () => {
  const next = parseHash(location.hash);
  if (next.q !== app.view.q) filter.setQuery(next.q);
  if (next.layout !== app.view.layout) layout.setLayout(next.layout);
  if (next.sel && next.sel !== app.view.sel) void selection.select(next.sel, { focus: true });
  app.view = { ...app.view, ...next, exp: app.view.exp };
});

// `gosleuth view` opens the page as `/?src=/dump`; `?url=` is accepted too, same origin only.
const params = new URLSearchParams(location.search);
const src = params.get("src") ?? params.get("url");
if (src) void loader.open({ kind: "url", url: src });

// Read-only hooks for the browser tests and the benchmark (no dump data is exposed beyond what is drawn).
Object.assign(window, {
  gosleuth: {
    nodePosition: (id: string) => app.graph?.viewportPosition(id) ?? null,
    labelBoxes: () => app.graph?.labelBoxes() ?? [],
    lastExport: () => app.graph?.lastExport ?? null,
    canvasSize: () => {
      const r = $("graph").getBoundingClientRect();
      return { width: r.width, height: r.height };
    },
    focus: (id: string, ratio?: number) => app.graph?.focus(id, ratio),
    nodeIds: () => (app.graph ? app.graph.graph.nodes() : []),
    shownNodeIds: () => (app.graph ? app.graph.visibleNodes(null) : []),
    aggNodeCount: () => app.graph?.aggNodeCount ?? 0,
    framesDrawn: () => app.graph?.framesDrawn ?? 0,
    // The page has done what it was asked: no worker answer, typed query or layout on its way, the
    // camera still and the last frame asked for drawn and shown (the tests wait for it).
    settled: () => app.client.idle && !filter.typing && (app.graph?.settled ?? true),
    outlined: () => [...app.appearance.outlined],
    view: () => ({ ...app.view, default: DEFAULT_VIEW }),
  },
});
