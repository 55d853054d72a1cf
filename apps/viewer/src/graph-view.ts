// The spawn-tree canvas: a graphology graph holding the data, sigma drawing it through reducers, layouts on top.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import FA2Layout from "graphology-layout-forceatlas2/worker";
import type Sigma from "sigma";
import { EdgeRectangleProgram } from "sigma/rendering";
import type { NodeDisplayData } from "sigma/types";
import { createNormalizationFunction, graphExtent } from "sigma/utils";
import { MORE_COLOR, NODE_BACKGROUND, stateColor } from "./colors.ts";
import { labelRoom, labelWidths } from "./label-room.ts";
import { type Box, collisionFreeLabels } from "./labels.ts";
import { type LayoutInput, levelRoom, type Point, type TreeLayoutKind, treeLayout } from "./layout.ts";
import type { LayoutClient } from "./layout-client.ts";
import { type ExportResult, exportPng } from "./png-export.ts";
import type { MemberView, TreeNodeView } from "./protocol.ts";
import { createSigma, type EdgeAttrs, SigmaLayers } from "./sigma-layers.ts";
import {
  type Appearance,
  aggNodeAttrs,
  EMPTY_APPEARANCE,
  edgeLook,
  type LayoutKind,
  type NodeAttrs,
  nodeLook,
  nodeSize,
  nodeVisible,
  sameLook,
} from "./state.ts";

export interface GraphCallbacks {
  onClickNode(id: string): void;
  onClickStage(): void;
}

/** Goroutine nodes added per task when a node is expanded. */
const EXPAND_SLICE = 500;

/** Above this many nodes, labels are hidden while the camera moves (sigma's own switch). */
const BIG_GRAPH = 500;

export const goroutineNodeId = (id: number): string => `g:${id}`;
export const moreNodeId = (nodeId: string): string => `more:${nodeId}`;

export class GraphView {
  readonly graph = new Graph<NodeAttrs, EdgeAttrs>({ type: "directed", multi: false, allowSelfLoops: false });
  private readonly renderer: Sigma<NodeAttrs, EdgeAttrs>;
  private appearance: Appearance = EMPTY_APPEARANCE;
  private fa2: FA2Layout<NodeAttrs, EdgeAttrs> | null = null;
  private layoutKind: LayoutKind = "tree";
  private readonly expanded = new Map<string, { members: readonly MemberView[]; total: number }>();
  private readonly labels = collisionFreeLabels();
  private readonly layers: SigmaLayers;
  /** Bumped by every layout: a worker's answer applies only if no layout was started after it. */
  private layoutGen = 0;

  /** `layoutWorker` runs an expansion's layout off the main thread (the page passes the one it started with itself). */
  constructor(
    private readonly container: HTMLElement,
    cb: GraphCallbacks,
    private readonly layoutWorker: LayoutClient,
  ) {
    // No program is compiled here: sigma's defaults (circle nodes, edges) and the bordered ones
    // come later, one per task (`prepare`).
    const { renderer, registrations } = createSigma(this.graph, container, {
      defaultNodeType: "circle",
      defaultEdgeType: "line",
      // Sigma always registers its default "arrow" type too (two programs, unused here): the line
      // program in its place is one program to compile instead of two (each compile waits for the
      // GPU side).
      edgeProgramClasses: { arrow: EdgeRectangleProgram, line: EdgeRectangleProgram },
      renderEdgeLabels: false,
      labelRenderedSizeThreshold: 7,
      labelDensity: 0.6,
      labelFont: "system-ui, sans-serif",
      zIndex: true,
      minCameraRatio: 0.005,
      // The pane is hidden (zero size) while the landing page shows, e.g. after a failed load:
      // sigma then skips drawing instead of throwing from its resize.
      allowInvalidContainer: true,
      maxCameraRatio: 20,
      defaultDrawNodeLabel: this.labels.draw,
      nodeReducer: (id, data) => this.reduceNode(id, data),
      edgeReducer: (id, data) => this.reduceEdge(id, data),
    });
    this.renderer = renderer;
    this.layers = new SigmaLayers(renderer, this.graph, registrations);
    // Each frame places its labels afresh (see labels.ts); a label it leaves out shows on hover.
    this.renderer.on("beforeRender", () => this.labelPlacer()?.reset());
    this.renderer.on("clickNode", ({ node }) => cb.onClickNode(node));
    this.renderer.on("clickStage", () => cb.onClickStage());
    // Sigma draws the hovered node and its label on its own hover layer; refreshing every node
    // here would re-upload the whole graph on each mouse move over a node.
    this.renderer.on("enterNode", () => {
      this.container.style.cursor = "pointer";
      this.hovering = true;
      this.syncHoverLayers();
    });
    this.renderer.on("leaveNode", () => {
      this.container.style.cursor = "";
      this.hovering = false;
      this.syncHoverLayers();
    });
  }

  private reduceNode(id: string, data: NodeAttrs): Partial<NodeDisplayData> {
    const look = nodeLook(id, data, this.appearance);
    // Dense levels (hundreds of siblings one unit apart) would draw as one smear of overlapping discs:
    // each node is at most as big as the room to its nearest neighbour on its level allows at fit.
    const room = this.room.get(id);
    if (room !== undefined) look.size = Math.min(look.size, Math.max(2.5, room * this.pxPerUnit * 0.45));
    return look as Partial<NodeDisplayData>;
  }

  /** Layout units to each node's nearest neighbour on the same level (tree layouts only). */
  private room = new Map<string, number>();
  /** Pixels per layout unit at fit. */
  private pxPerUnit = 1;

  private reduceEdge(id: string, _data: EdgeAttrs): Partial<NodeDisplayData> {
    const [s, t] = this.graph.extremities(id);
    const sv = nodeVisible(s, this.graph.getNodeAttribute(s, "kind"), this.appearance);
    const tv = nodeVisible(t, this.graph.getNodeAttribute(t, "kind"), this.appearance);
    return edgeLook(s, t, sv, tv, this.appearance) as Partial<NodeDisplayData>;
  }

  /**
   * Compiles and first-draws the node programs sigma was created without, one per task, while the
   * dump loads (see sigma-layers.ts).
   */
  prepare(): Promise<void> {
    return this.layers.prepare();
  }

  /**
   * Gives the layers their size and registers every program: GPU work that `setTree` would do
   * otherwise, called a task ahead of it so that the two are not one long task.
   */
  readyForTree(): void {
    this.layers.ready();
  }

  /** Replaces the whole graph with an aggregated tree (a new dump). */
  setTree(nodes: readonly TreeNodeView[]): void {
    this.layers.ready();
    this.stopFa2();
    this.expanded.clear();
    this.graph.clear();
    for (const n of nodes) this.graph.addNode(n.id, { x: 0, y: 0, ...aggNodeAttrs(n) });
    for (const n of nodes) {
      if (n.parent !== null && this.graph.hasNode(n.parent))
        this.graph.addDirectedEdge(n.parent, n.id, { size: 1 });
    }
    this.sizeSettings();
    this.applyLayout(this.layoutKind);
    // The tree layouts have sigma index the graph (for the settings above); ForceAtlas2 does not.
    if (this.layoutKind === "fa2") this.renderer.refresh({ schedule: true });
    this.renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
  }

  /**
   * Nothing moves or is on its way (see `SigmaLayers.settled`; an expansion holds frames until it is
   * laid out), and ForceAtlas2 is not running (it moves the nodes until it is paused).
   */
  get settled(): boolean {
    return this.layers.settled && !this.fa2Running();
  }

  /** Frames sigma has drawn so far (for the benchmark). */
  get framesDrawn(): number {
    return this.layers.framesDrawn;
  }

  get nodeCount(): number {
    return this.graph.order;
  }

  /** Number of aggregated-tree nodes (expanded goroutine nodes excluded). */
  get aggNodeCount(): number {
    let n = 0;
    this.graph.forEachNode((_, a) => {
      if (a.kind === "agg") n++;
    });
    return n;
  }

  setAppearance(a: Appearance): void {
    const before = this.appearance;
    this.appearance = { ...a, hovered: before.hovered };
    this.syncHoverLayers(true);
    // A frame of the same picture is not drawn again: on software GL each frame drawn is read back
    // in its commit, and the load's empty filter would otherwise draw the first frame twice.
    if (sameLook(before, this.appearance)) return;
    this.renderer.refresh({ skipIndexation: true, schedule: true });
  }

  /** A node is under the pointer (sigma draws it on its hover layers). */
  private hovering = false;

  /** The hover layers are shown while they have something on them: the hovered node, or highlighted ones (nodeLook). */
  private syncHoverLayers(withNextFrame = false): void {
    const a = this.appearance;
    this.layers.showHoverLayers(
      this.hovering || a.selected !== null || a.searchHits.size > 0 || a.outlined.size > 0,
      withNextFrame,
    );
  }

  isExpanded(nodeId: string): boolean {
    return this.expanded.has(nodeId);
  }

  expandedIds(): string[] {
    return [...this.expanded.keys()];
  }

  /**
   * Adds one node per goroutine under an aggregated node (and a "+N more" node for the rest), a
   * slice per task: thousands of nodes in one task (each added, measured and, later, indexed) would
   * freeze the page. Resolves once the nodes are laid out; stops if the node is collapsed or the
   * tree replaced meanwhile.
   */
  async expand(nodeId: string, members: readonly MemberView[], total: number): Promise<void> {
    if (!this.graph.hasNode(nodeId) || this.expanded.has(nodeId)) return;
    const entry = { members, total };
    this.expanded.set(nodeId, entry);
    // No frame until the nodes are all added and laid out: they would all be drawn at their parent's spot.
    this.layers.hold(true);
    try {
      await this.addMembers(nodeId, entry);
    } finally {
      this.layers.hold(false);
    }
  }

  private async addMembers(
    nodeId: string,
    entry: { members: readonly MemberView[]; total: number },
  ): Promise<void> {
    const { members, total } = entry;
    const parent = this.graph.getNodeAttributes(nodeId);
    // The layout measures every label; the new ones are measured (and remembered) with their slice.
    let added: string[] = [];
    const measureAdded = () => {
      labelWidths(
        added.map((id) => this.graph.getNodeAttribute(id, "label")),
        this.renderer.getSetting("labelFont"),
      );
      added = [];
    };
    // A collapse, a new tree or the node gone meanwhile: this expansion stops.
    const stale = () => this.expanded.get(nodeId) !== entry || !this.graph.hasNode(nodeId);
    for (let from = 0; from < members.length; from += EXPAND_SLICE) {
      if (from > 0) {
        measureAdded();
        await new Promise((r) => setTimeout(r, 0));
        if (stale()) return;
      }
      const to = Math.min(from + EXPAND_SLICE, members.length);
      // Sigma would index each node and edge as it is added: a slice goes in with sigma not listening,
      // and the layout below has it index the grown graph on its next frame (an expansion cut short is
      // followed by a collapse or a new tree, which index it too).
      this.layers.quietly(() => {
        for (let i = from; i < to; i++) {
          const m = members[i]!;
          const id = goroutineNodeId(m.id);
          if (this.graph.hasNode(id)) continue;
          this.addMember(nodeId, id, m, parent);
          added.push(id);
        }
      });
    }
    if (total > members.length) {
      const id = moreNodeId(nodeId);
      this.layers.quietly(() => {
        this.graph.addNode(id, {
          x: parent.x,
          y: parent.y,
          size: nodeSize(total - members.length),
          color: MORE_COLOR,
          label: `+${(total - members.length).toLocaleString("en-US")} more`,
          kind: "more",
          count: total - members.length,
          stateClass: parent.stateClass,
          ghost: false,
          orphan: false,
          type: "ring",
          borderColor: NODE_BACKGROUND,
        });
        this.graph.addDirectedEdge(nodeId, id, { size: 1 });
      });
      added.push(id);
    }
    measureAdded();
    // The layout runs in its worker; the main thread only applies the positions (and has sigma index
    // the grown graph on the next frame).
    await new Promise((r) => setTimeout(r, 0));
    if (stale()) return;
    const kind = this.layoutKind;
    if (kind === "fa2") {
      this.relayout();
      return;
    }
    this.sizeSettings();
    const gen = ++this.layoutGen;
    const input = this.layoutInput();
    const laid = await this.layoutWorker.layout(input, kind);
    // A layout started meanwhile (a collapse, a new tree, another expansion, a layout change) placed
    // the graph as it is now.
    if (stale() || gen !== this.layoutGen) return;
    if (laid) this.placeNodes(kind, laid.pos, laid.room);
    else this.applyLayout(kind);
  }

  private addMember(nodeId: string, id: string, m: MemberView, parent: NodeAttrs): void {
    this.graph.addNode(id, {
      x: parent.x,
      y: parent.y,
      size: 3,
      color: stateColor(m.stateClass),
      label: `#${m.id} ${m.state}${m.waitMinutes > 0 ? `, ${m.waitMinutes} min` : ""}`,
      kind: "goroutine",
      count: 1,
      stateClass: m.stateClass,
      ghost: false,
      orphan: false,
      type: "circle",
      borderColor: NODE_BACKGROUND,
    });
    this.graph.addDirectedEdge(nodeId, id, { size: 1 });
  }

  collapse(nodeId: string): void {
    const e = this.expanded.get(nodeId);
    if (!e) return;
    this.expanded.delete(nodeId);
    this.layers.batch(() => {
      for (const m of e.members) {
        const id = goroutineNodeId(m.id);
        if (this.graph.hasNode(id)) this.graph.dropNode(id);
      }
      if (this.graph.hasNode(moreNodeId(nodeId))) this.graph.dropNode(moreNodeId(nodeId));
    });
    this.relayout();
  }

  /** Which expanded node shows goroutine `id`, if any. */
  expandedNodeOf(goroutineNode: string): string | null {
    if (!this.graph.hasNode(goroutineNode)) return null;
    const inn = this.graph.inNeighbors(goroutineNode);
    return inn[0] ?? null;
  }

  /** Settings that depend on how many nodes are drawn (every caller then has sigma index the graph). */
  private sizeSettings(): void {
    const big = this.graph.order > BIG_GRAPH;
    const wanted = {
      // Edges are left out while the camera moves on every graph: their layer is a full-pane readback
      // and blend per frame on software GL (sigma-layers.ts), whatever the number of edges.
      hideEdgesOnMove: true,
      hideLabelsOnMove: big,
      // Small trees get every label; big ones only for nodes drawn large enough (sigma's label grid does the rest).
      labelRenderedSizeThreshold: this.graph.order <= 150 ? 0 : 7,
      // Small trees offer every label to the collision pass (labels.ts), which keeps all that fit.
      labelDensity: this.graph.order <= 150 ? 100 : 0.6,
    };
    // Sigma would index the whole graph on every settings change; each caller has it done once after.
    const changed = Object.fromEntries(
      Object.entries(wanted).filter(([k, v]) => this.renderer.getSetting(k as keyof typeof wanted) !== v),
    );
    if (Object.keys(changed).length > 0) this.layers.setSettingsQuietly(changed);
  }

  private relayout(): void {
    this.sizeSettings();
    if (this.layoutKind === "fa2") {
      // New nodes start at their parent's spot; FA2 (running or not) spreads them on its next run.
      this.renderer.refresh();
      return;
    }
    this.applyLayout(this.layoutKind);
  }

  get layout(): LayoutKind {
    return this.layoutKind;
  }

  /** Positions the nodes with the tree layouts, or starts ForceAtlas2 in its worker from the current positions. */
  applyLayout(kind: LayoutKind): void {
    this.layoutKind = kind;
    this.layoutGen++;
    if (kind === "fa2") {
      this.startFa2();
      return;
    }
    this.stopFa2();
    const pos = treeLayout(this.layoutInput(), kind);
    this.placeNodes(kind, pos, levelRoom(pos, kind));
  }

  /** The tree layouts' input: every node with its parent, siblings ordered by size ("+N more" last). */
  private layoutInput(): LayoutInput[] {
    const input: LayoutInput[] = [];
    this.graph.forEachNode((id, a) => {
      const p = this.graph.inNeighbors(id)[0] ?? null;
      input.push({ id, parent: p, weight: a.kind === "more" ? -1 : a.count });
    });
    return input;
  }

  /** Moves the nodes to a tree layout's positions and frames the drawing with room for the labels. */
  private placeNodes(kind: TreeLayoutKind, pos: ReadonlyMap<string, Point>, room: Map<string, number>): void {
    // Sigma's answer to the update (every node through the reducers, twice) is redone by the refresh below.
    this.layers.quietly(() =>
      this.graph.updateEachNodeAttributes(
        (id, a) => {
          const p = pos.get(id);
          if (p) {
            a.x = p.x;
            a.y = p.y;
          }
          return a;
        },
        { attributes: ["x", "y"] },
      ),
    );
    const ids = [...pos.keys()];
    const widths = labelWidths(
      ids.map((id) => this.graph.getNodeAttribute(id, "label")),
      this.renderer.getSetting("labelFont"),
    );
    const box = labelRoom(
      pos,
      kind,
      new Map(ids.map((id, k) => [id, widths[k]!])),
      this.renderer.getDimensions().width,
    );
    this.renderer.setCustomBBox(box);
    this.room = room;
    if (box) {
      const { width, height } = this.renderer.getDimensions();
      this.pxPerUnit = Math.min(width / (box.x[1] - box.x[0] || 1), height / (box.y[1] - box.y[0] || 1));
    }
    // Processed and drawn on the next frame: keeps building the graph and drawing it in separate tasks.
    this.renderer.refresh({ schedule: true });
  }

  startFa2(): void {
    this.layoutKind = "fa2";
    if (this.fa2?.isRunning()) return;
    this.renderer.setCustomBBox(null);
    this.room = new Map();
    if (!this.fa2) {
      const settings = forceAtlas2.inferSettings(this.graph);
      this.fa2 = new FA2Layout<NodeAttrs, EdgeAttrs>(this.graph, {
        settings: { ...settings, barnesHutOptimize: this.graph.order > 300, adjustSizes: false },
      });
    }
    this.fa2.start();
  }

  /** Pauses ForceAtlas2 (positions stay where they are). */
  pauseFa2(): void {
    this.fa2?.stop();
  }

  fa2Running(): boolean {
    return this.fa2?.isRunning() ?? false;
  }

  private stopFa2(): void {
    if (this.fa2) {
      this.fa2.kill();
      this.fa2 = null;
    }
  }

  /**
   * A node's position in sigma's framed-graph space (the camera's), from its layout position.
   * Sigma's display data cannot be used for this: every refresh refills it with raw layout
   * coordinates and normalises them only when the next frame is processed, so right after a
   * selection or a filter it holds numbers in another space (a camera sent there shows nothing).
   */
  private framedPosition(id: string): { x: number; y: number } | null {
    if (!this.graph.hasNode(id)) return null;
    const a = this.graph.getNodeAttributes(id);
    const box = this.renderer.getCustomBBox() ?? graphExtent(this.graph);
    return createNormalizationFunction(box)({ x: a.x, y: a.y });
  }

  /** Moves the camera onto a node, zoomed in enough to read its neighbourhood. */
  focus(id: string, ratio = 0.25): void {
    const p = this.framedPosition(id);
    if (!p) return;
    void this.renderer
      .getCamera()
      .animate(
        { x: p.x, y: p.y, ratio: Math.min(ratio, this.renderer.getCamera().ratio) },
        { duration: 400 },
      );
  }

  /** Moves the camera so that all of these nodes are in view (an incident's nodes, outlined together). */
  fitNodes(ids: readonly string[]): void {
    const ps = ids.map((id) => this.framedPosition(id)).filter((p) => p !== null);
    if (ps.length === 0) return;
    // Bounds by a loop, not Math.min(...xs): an incident of 100,000 nodes or more overflowed the call.
    let [x0, x1, y0, y1] = [
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (const p of ps) {
      x0 = Math.min(x0, p.x);
      x1 = Math.max(x1, p.x);
      y0 = Math.min(y0, p.y);
      y1 = Math.max(y1, p.y);
    }
    // Framed space is the whole graph in [0, 1] at ratio 1; the margin keeps the outermost nodes off the edge.
    const ratio = Math.min(1, Math.max(0.1, Math.max(x1 - x0, y1 - y0) * 1.4));
    void this.renderer.getCamera().animate({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, ratio }, { duration: 400 });
  }

  fit(): void {
    void this.renderer.getCamera().animatedReset({ duration: 300 });
  }

  /** Viewport coordinates of a node (for tests and for placing popups). */
  viewportPosition(id: string): { x: number; y: number } | null {
    const p = this.framedPosition(id);
    return p ? this.renderer.framedGraphToViewport(p) : null;
  }

  /** The label placer of the frame being drawn (or the last one drawn), by the context sigma draws its labels in. */
  private labelPlacer() {
    const ctx = this.layers.labelContext ?? this.renderer.getCanvases().labels?.getContext("2d");
    return ctx ? this.labels.placer(ctx) : null;
  }

  /** The boxes of the labels drawn in the last frame, in viewport pixels (for the tests). */
  labelBoxes(): readonly Box[] {
    return this.labelPlacer()?.boxes ?? [];
  }

  /** What the last PNG export drew (for the tests). */
  lastExport: ExportResult | null = null;

  /** Downloads the whole graph as a PNG (see png-export.ts). */
  exportPng(fileName: string): Promise<void> {
    return exportPng(this.renderer, this.graph, this.layoutKind, fileName, (r) => {
      this.lastExport = r;
    });
  }

  /** Whether a node is drawn (not hidden by the filter). */
  isShown(id: string): boolean {
    return (
      this.graph.hasNode(id) && nodeVisible(id, this.graph.getNodeAttribute(id, "kind"), this.appearance)
    );
  }

  /** The nodes currently drawn (not hidden by the filter) under `root` (or all), as plain data. */
  visibleNodes(root: string | null): string[] {
    const out: string[] = [];
    const visible = (id: string) => nodeVisible(id, this.graph.getNodeAttribute(id, "kind"), this.appearance);
    if (root === null || !this.graph.hasNode(root)) {
      this.graph.forEachNode((id) => {
        if (visible(id)) out.push(id);
      });
      return out;
    }
    const stack = [root];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (!visible(id)) continue;
      out.push(id);
      for (const c of this.graph.outNeighbors(id)) stack.push(c);
    }
    return out;
  }

  parentOf(id: string): string | null {
    return this.graph.hasNode(id) ? (this.graph.inNeighbors(id)[0] ?? null) : null;
  }

  resize(): void {
    this.layers.resize();
  }

  kill(): void {
    // The layout worker is the page's (AppState.layout), not this view's: it outlives the view.
    this.stopFa2();
    this.renderer.kill();
  }
}
