// Loading a dump: WebGL and sigma brought up while the worker parses, progress, errors, and the first show of a loaded dump.
import type { AppState } from "./app-state.ts";
import { $, clear, fmt, h } from "./dom.ts";
import { DrawnTree } from "./drawn-tree.ts";
import type { FilterController } from "./filter-controller.ts";
import { GraphView } from "./graph-view.ts";
import { renderIncident } from "./incident-view.ts";
import type { LayoutController } from "./layout-controller.ts";
import { ListView } from "./list-view.ts";
import type { Loaded, LoadSource } from "./protocol.ts";
import type { SelectionController } from "./selection-controller.ts";

/**
 * WebGL brought up in a short-lived worker of its own (gl-warm.ts) as soon as the page starts: the
 * first WebGL context of the page waits for the GPU side to come up, which on software GL was the
 * page's longest task when a throwaway context on the main thread did it. Resolves when the worker
 * is done (or failed, or after 3 s), and the worker is ended then.
 */
function warmGl(): Promise<void> {
  return new Promise<void>((resolve) => {
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
}

function formatName(format: string): string {
  return format.startsWith("debug") ? format.replace("debug", "debug=") : format;
}

export class LoadController {
  private readonly glWarm = warmGl();
  private readonly body = document.body;

  constructor(
    private readonly app: AppState,
    private readonly c: {
      filter: FilterController;
      selection: SelectionController;
      layout: LayoutController;
    },
  ) {
    this.body.dataset.state = "empty";
  }

  async open(source: LoadSource): Promise<void> {
    const app = this.app;
    $("load-error").textContent = "";
    this.ensureViews();
    // Sigma is created in a task of its own once the load has started and WebGL is up (glWarm).
    void this.glWarm.then(() => setTimeout(() => this.ensureGraph(), 0));
    this.body.dataset.state = "loading";
    const progress = $("progress");
    progress.hidden = false;
    const fill = $("progress-fill");
    const text = $("progress-text");
    fill.style.width = "0%";
    text.textContent = "Reading…";
    try {
      const res = await app.client.open(source, {
        onProgress(bytes, total, goroutines) {
          fill.style.width = total ? `${Math.min(100, (100 * bytes) / total).toFixed(1)}%` : "100%";
          const mb = (bytes / 1048576).toFixed(1);
          text.textContent = `${mb} MB${total ? ` of ${(total / 1048576).toFixed(1)} MB` : ""} · ${fmt(goroutines)} goroutines`;
        },
      });
      progress.hidden = true;
      if (!res) {
        this.body.dataset.state = app.loaded ? "ready" : "empty";
        if (!app.loaded) {
          $("app").hidden = true;
          $("landing").hidden = false;
        }
        return;
      }
      await this.show(res);
    } catch (e) {
      this.showError(e instanceof Error ? e.message : String(e));
    }
  }

  private showError(msg: string): void {
    this.body.dataset.state = "error";
    $("progress").hidden = true;
    $("landing").hidden = false;
    if (!this.app.loaded) $("app").hidden = true;
    $("load-error").textContent = msg;
  }

  /** Shows the app and creates the list; the graph comes from `ensureGraph`. */
  private ensureViews(): void {
    $("landing").hidden = true;
    $("app").hidden = false;
    if (!this.app.list)
      this.app.list = new ListView(
        $("list"),
        (g) => void this.c.selection.pickGroup(g),
        (x) => this.c.selection.pickIncident(x),
      );
  }

  /**
   * Creates sigma (WebGL contexts and shader programs). Called in a task of its own while the
   * worker parses, then `prepare` compiles and first-draws the other programs in further small
   * tasks: on software GL this is several hundred milliseconds of main-thread work in all, which
   * would otherwise delay the first frame or freeze the page in one piece.
   */
  private ensureGraph(): GraphView | null {
    const app = this.app;
    // A load that failed hid the app again: sigma needs a container with a size, so wait for a dump.
    if (!app.graph && this.body.dataset.state === "error") return null;
    this.ensureViews();
    if (!app.graph) {
      const graph = new GraphView(
        $("graph"),
        {
          onClickNode: (id) => void this.c.selection.select(id),
          onClickStage: () => {},
        },
        app.layout,
      );
      app.graph = graph;
      // The observer's first call reports the size sigma was just created with: skip it (a resize redraws everything).
      let first = true;
      new ResizeObserver(() => {
        if (!first) graph.resize();
        first = false;
      }).observe($("graph"));
      performance.mark("gosleuth:sigma-created");
      void graph.prepare().then(() => performance.mark("gosleuth:sigma-prepared"));
    }
    return app.graph;
  }

  private async show(res: Loaded): Promise<void> {
    const app = this.app;
    const body = this.body;
    performance.mark("gosleuth:loaded");
    app.loaded = res;
    app.tree = new DrawnTree(res.nodes);
    this.ensureGraph();
    body.dataset.format = res.header.format;
    // A race report has no goroutines: its races are the whole page.
    if (res.header.total === 0 && res.header.races.length > 0) body.dataset.onlyIncident = "";
    else delete body.dataset.onlyIncident;
    renderIncident($("incident"), res.header, {
      selectGoroutine: (id) => void this.c.selection.selectGoroutine(id),
      goroutine: (id) => app.client.query({ kind: "goroutine", id }),
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
    if (!app.graph || !app.list) return;
    // The layers' GPU work in this task, the tree after the next frame (two shorter tasks than
    // one, and the first frame of the tree is then not the one that shows the resized layers:
    // it can be staged, see frame-stage.ts).
    app.graph.readyForTree();
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    if (app.loaded !== res) return; // another dump arrived meanwhile
    const { filter, selection } = this.c;
    const layout = app.view.layout;
    ($("layout-select") as HTMLSelectElement).value = layout;
    app.drawTree();
    performance.mark("gosleuth:tree-set");
    if (layout !== "tree") this.c.layout.setLayout(layout);
    ($("filter") as HTMLInputElement).value = app.view.q;
    filter.syncControls();
    filter.renderLegend();
    body.dataset.state = "ready";
    performance.mark("gosleuth:shown");
    void (async () => {
      for (const id of app.view.exp) if (app.tree.byId.has(id)) await selection.expand(id);
      await filter.apply(app.view.q);
      performance.mark("gosleuth:filtered");
      if (app.view.sel) await selection.select(app.view.sel, { focus: true });
      else filter.renderCounts();
    })();
  }
}
