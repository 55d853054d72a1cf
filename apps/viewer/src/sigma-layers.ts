// Sigma's layers on software GL: parked at 1×1 pixels until there is a tree, node programs compiled and first drawn one per task, idle layers kept out of compositing.
import { createNodeBorderProgram } from "@sigma/node-border";
import type Graph from "graphology";
import type Sigma from "sigma";
import type { NodeProgramType } from "sigma/rendering";
import { NODE_BACKGROUND } from "./colors.ts";
import type { NodeAttrs } from "./state.ts";

export interface EdgeAttrs {
  size: number;
}

/** The node programs sigma is created without (it compiles only its defaults then), in the order they are added. */
function laterPrograms(): [string, NodeProgramType<NodeAttrs, EdgeAttrs>][] {
  return [
    [
      "ring",
      createNodeBorderProgram<NodeAttrs, EdgeAttrs>({
        borders: [
          { size: { value: 0.3, mode: "relative" }, color: { attribute: "color" } },
          { size: { fill: true }, color: { value: NODE_BACKGROUND } },
        ],
      }),
    ],
    [
      "bordered",
      createNodeBorderProgram<NodeAttrs, EdgeAttrs>({
        borders: [
          { size: { value: 0.28, mode: "relative" }, color: { attribute: "borderColor" } },
          { size: { fill: true }, color: { attribute: "color" } },
        ],
      }),
    ],
  ];
}

/**
 * Owns the parts of a sigma renderer's life that only exist because of software GL: every
 * program's shaders take tens of milliseconds to compile and first draw, and every full-size
 * layer costs screen-sized bitmaps, so both are put off and spread over separate tasks; and every
 * layer the page shows is blended over the whole pane by the CPU on every frame, so layers with
 * nothing on them are not shown.
 */
export class SigmaLayers {
  /** Node programs not registered yet, in the order `prepare` adds them. */
  private readonly pendingPrograms = laterPrograms();
  /** Program types whose first draw has not happened yet. */
  private readonly coldTypes: NodeAttrs["type"][] = ["circle", "ring", "bordered"];
  /** True while every layer has a 1×1 backing store (from creation until the first tree). */
  private parked = false;

  constructor(
    private readonly renderer: Sigma<NodeAttrs, EdgeAttrs>,
    private readonly graph: Graph<NodeAttrs, EdgeAttrs>,
  ) {
    this.shrinkIdleLayers();
    renderer.on("resize", () => {
      this.parked = false;
      this.shrinkIdleLayers();
    });
    this.park();
    // Nothing is ever drawn on the edge-label layer (edge labels are off).
    const layers = renderer.getCanvases();
    if (layers.edgeLabels) layers.edgeLabels.style.display = "none";
    // The mouse layer only catches events, which a transparent element still gets; at opacity 0
    // the compositor skips it.
    if (layers.mouse) layers.mouse.style.opacity = "0";
    this.showHoverLayers(false);
    // While the camera moves, sigma leaves the edges out (hideEdgesOnMove) but still clears their
    // layer, which is then read back and blended like a drawn one: hidden instead, the frame
    // costs one full-pane WebGL layer less.
    renderer.on("beforeRender", () => {
      const edges = renderer.getCanvases().edges;
      if (!edges) return;
      const hide = renderer.getSetting("hideEdgesOnMove") && this.moving();
      edges.style.visibility = hide ? "hidden" : "";
    });
  }

  /** Sigma's own test for a moving camera (its render leaves edges and labels out then). */
  private moving(): boolean {
    const m = this.renderer.getMouseCaptor();
    return (
      this.renderer.getCamera().isAnimated() ||
      m.isMoving ||
      m.draggedEvents > 0 ||
      m.currentWheelDirection !== 0
    );
  }

  /**
   * Shows or hides the two layers sigma draws the hovered and highlighted nodes on (a canvas and
   * a WebGL context): empty most of the time, and a WebGL layer that is shown is also read back
   * from the GPU side on every frame.
   */
  showHoverLayers(on: boolean): void {
    const layers = this.renderer.getCanvases();
    for (const id of ["hovers", "hoverNodes"]) {
      const c = layers[id];
      if (c) c.style.visibility = on ? "" : "hidden";
    }
  }

  /**
   * Sigma sizes every layer to the whole graph, but nothing is drawn on the mouse layer (it only
   * catches events, by its CSS size) nor on the edge-label one (edge labels are off): a 1×1 pixel
   * buffer for each saves two screen-sized bitmaps (and their compositing copies).
   */
  private shrinkIdleLayers(): void {
    const layers = this.renderer.getCanvases();
    for (const id of ["mouse", "edgeLabels"]) {
      const c = layers[id];
      if (c && (c.width !== 1 || c.height !== 1)) {
        c.width = 1;
        c.height = 1;
      }
    }
  }

  /**
   * Gives every layer a 1×1 pixel buffer until there is something to show. Sigma is created while
   * the worker parses, and the page's peak memory is reached then: each full-size layer that is
   * drawn costs several screen-sized bitmaps in the renderer (on software compositing, a WebGL
   * canvas is read back into shared memory every frame). The warm-up draws (`prepare`) compile
   * the same programs on 1×1 buffers.
   */
  private park(): void {
    for (const c of Object.values(this.renderer.getCanvases())) {
      c.width = 1;
      c.height = 1;
    }
    this.parked = true;
  }

  /** Makes the renderer ready for a real graph: layers at their size, every program registered. */
  ready(): void {
    // Sigma's resize, forced: the container did not change.
    if (this.parked) this.renderer.resize(true);
    while (this.pendingPrograms.length > 0) this.registerNext();
  }

  private registerNext(): void {
    const next = this.pendingPrograms.shift();
    if (!next) return;
    const classes = { ...this.renderer.getSetting("nodeProgramClasses"), [next[0]]: next[1] };
    this.renderer.setSetting("nodeProgramClasses", classes);
  }

  /**
   * Compiles the remaining programs and draws each once, one step per task with a frame in
   * between: a program's first draw is slow on software GL (its shaders are compiled for the
   * CPU then, and the page waits for that when the frame is composited), so doing it now, while
   * the dump loads, in small steps, keeps every task short and the first real frame fast.
   */
  async prepare(): Promise<void> {
    const frame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    while (this.pendingPrograms.length > 0) {
      await frame();
      this.registerNext();
    }
    while (this.coldTypes.length > 0) {
      await frame();
      const type = this.coldTypes.shift()!;
      if (this.graph.order > 0) return; // a dump arrived: its own first frame does the rest
      this.drawOnce(type);
    }
  }

  /** Draws one node of `type` (and an edge) and clears it again. */
  private drawOnce(type: NodeAttrs["type"]): void {
    // Big enough to get a label: the first text drawn on the label layer is slow too (fonts).
    const base = {
      size: 12,
      label: "·",
      kind: "agg" as const,
      count: 1,
      stateClass: "unknown",
      ghost: false,
      orphan: false,
      color: NODE_BACKGROUND,
      borderColor: NODE_BACKGROUND,
    };
    this.graph.addNode("warm:a", { ...base, x: 0, y: 0, type });
    this.graph.addNode("warm:b", { ...base, x: 1, y: 0, type });
    this.graph.addDirectedEdge("warm:a", "warm:b", { size: 1 });
    this.renderer.refresh();
    this.graph.clear();
  }
}
