// The page's application state in one object: the loaded dump, the view kept in the URL, the appearance the reducers read, and the views.
import { WorkerClient } from "./client.ts";
import { DrawnTree } from "./drawn-tree.ts";
import type { GraphView } from "./graph-view.ts";
import { LayoutClient } from "./layout-client.ts";
import type { ListView } from "./list-view.ts";
import type { FilterResult, Loaded } from "./protocol.ts";
import { type Appearance, EMPTY_APPEARANCE, formatHash, parseHash, type ViewState } from "./state.ts";

export class AppState {
  readonly client = new WorkerClient();
  /**
   * The expansion layout's worker. Started with the page, as the parsing worker is: its module is then
   * fetched before any dump is read, and reading a dump asks nothing of the server.
   */
  readonly layout = new LayoutClient();
  /** The dump on show (null until the first load succeeds; a failed later load keeps it). */
  loaded: Loaded | null = null;
  /** The loaded tree as drawn (folded). */
  tree = new DrawnTree([]);
  view: ViewState = parseHash(location.hash);
  /** The worker's answer to the current filter; null when the query has no terms. */
  filterResult: FilterResult | null = null;
  appearance: Appearance = EMPTY_APPEARANCE;
  /** Created once a load starts and WebGL is up (see load-controller.ts). */
  graph: GraphView | null = null;
  list: ListView | null = null;

  /** Changes the view and mirrors it in the URL hash (replacing the history entry, so Back leaves the page). */
  setView(next: Partial<ViewState>): void {
    this.view = { ...this.view, ...next };
    const hash = formatHash(this.view);
    if (hash !== location.hash && !(hash === "" && location.hash === "")) {
      history.replaceState(null, "", hash || `${location.pathname}${location.search}`);
    }
  }

  /** Changes the appearance and hands it to the graph's reducers. */
  setAppearance(next: Partial<Appearance>): void {
    this.appearance = { ...this.appearance, ...next };
    this.graph?.setAppearance(this.appearance);
  }

  /** Draws the loaded tree (folded) in the graph. */
  drawTree(): void {
    if (!this.loaded || !this.graph) return;
    this.graph.setTree(this.tree.fold());
  }
}
