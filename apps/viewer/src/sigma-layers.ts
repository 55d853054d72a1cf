// Sigma's layers on software GL: parked at 1×1 pixels until there is a tree, programs compiled and first drawn one per task, drags shown by moving the last frame drawn, copied from the WebGL layers to 2D ones.
import { createNodeBorderProgram } from "@sigma/node-border";
import type Graph from "graphology";
import Sigma from "sigma";
import type { NodeProgramType } from "sigma/rendering";
import type { CameraState } from "sigma/types";
import { NODE_BACKGROUND } from "./colors.ts";
import { FrameStage } from "./frame-stage.ts";
import type { NodeAttrs } from "./state.ts";

/** Sigma's WebGL layers (its other layers are 2D canvases). */
const GL_LAYERS = ["edges", "nodes", "hoverNodes"] as const;

export interface EdgeAttrs {
  size: number;
}

/**
 * The parts of sigma's renderer (3.0.3, pinned in the catalog) this file reaches past its public API
 * for: the node programs' picking pass and the picking layers, the picking read, and the WebGL contexts.
 */
interface SigmaInternals {
  webGLContexts: Record<string, WebGLRenderingContext>;
  canvasContexts: Record<string, CanvasRenderingContext2D>;
  nodePrograms: Record<string, { pickProgram: unknown }>;
  pickingLayers: Set<string>;
  getNodeAtPosition(position: { x: number; y: number }): string | null;
  /** Sigma's own frame: every scheduled render and every refresh calls it through the instance. */
  render(): unknown;
  /** The animation frame of a scheduled render (sigma schedules none while it is set). */
  renderFrame: number | null;
  /** Set by a refresh: the next frame reprocesses the graph. */
  needToProcess: boolean;
  /** Draws the hovered and highlighted nodes on the two hover layers (called by every frame and on hover). */
  renderHighlightedNodes(): void;
  hoveredNode: string | null;
  highlightedNodes: Set<string>;
  /** The animation frame of a scheduled hover-layer draw. */
  renderHighlightedNodesFrame: number | null;
  /** Indexes the whole graph again and schedules a frame (every settings change calls it). */
  scheduleRefresh(): unknown;
  /** Sigma's listeners to the graph's events (each drop re-indexes the whole graph). */
  bindGraphHandlers(): void;
  unbindGraphHandlers(): void;
}

/** Pixels the picture may be moved as a whole before sigma draws it afresh (see `shiftWhileDragging`). */
const MAX_SHIFT = 96;

/** A program registration sigma's constructor asked for, held back to run in a later task. */
type Registration = () => void;

/** Set while `createSigma` runs sigma's constructor: the registrations it makes are collected here. */
let heldBack: Registration[] | null = null;

/** Sigma's two (private) program registration methods, which its constructor calls for its default programs. */
interface ProgramRegistry {
  registerNodeProgram(...args: unknown[]): unknown;
  registerEdgeProgram(...args: unknown[]): unknown;
}

/** Sigma whose constructor can hold its program registrations back (see `createSigma`). */
class StagedSigma extends Sigma<NodeAttrs, EdgeAttrs> {}
for (const key of ["registerNodeProgram", "registerEdgeProgram"] as const) {
  const proto = StagedSigma.prototype as unknown as ProgramRegistry;
  const register = proto[key];
  proto[key] = function (this: ProgramRegistry, ...args: unknown[]) {
    if (heldBack) heldBack.push(() => register.apply(this, args));
    else register.apply(this, args);
    return this;
  };
}

/**
 * Creates sigma with only its layers: its constructor also compiles and links its default programs
 * (circle nodes with their picking and hover variants, and the edge types), and on software GL each
 * compile and link waits for the GPU side, which made the constructor the page's longest task. The
 * registrations it asks for are handed to `SigmaLayers`, whose `prepare` runs them one per task
 * (and `ready` all at once, if a tree comes first). Until then the graph stays empty: sigma can draw
 * no node without its program.
 */
export function createSigma(
  graph: Graph<NodeAttrs, EdgeAttrs>,
  container: HTMLElement,
  settings: ConstructorParameters<typeof Sigma<NodeAttrs, EdgeAttrs>>[2],
): { renderer: Sigma<NodeAttrs, EdgeAttrs>; registrations: Registration[] } {
  const registrations: Registration[] = [];
  // Sigma's constructor sizes every layer to its container and clears them, then `SigmaLayers`
  // parks them at 1×1 pixels: with the container out of layout meanwhile (zero size, which
  // `allowInvalidContainer` accepts as 1×1), the layers are made parked, with no full-size buffer
  // allocated, cleared and dropped again in this task.
  const display = container.style.display;
  container.style.display = "none";
  heldBack = registrations;
  let renderer: Sigma<NodeAttrs, EdgeAttrs>;
  try {
    renderer = new StagedSigma(graph, container, settings);
  } finally {
    heldBack = null;
    container.style.display = display;
  }
  // Sigma's idea of its size (the container's) and the layers' CSS size are the real ones (the
  // mouse layer catches events by it); only the pixel buffers stay 1×1 until `SigmaLayers.ready`.
  const size = renderer as unknown as { width: number; height: number };
  size.width = container.offsetWidth || 1;
  size.height = container.offsetHeight || 1;
  for (const layer of Object.values(renderer.getCanvases())) {
    layer.style.width = `${size.width}px`;
    layer.style.height = `${size.height}px`;
  }
  return { renderer, registrations };
}

/** Shows or hides a layer (its style left alone when it does not change). */
function setShown(c: HTMLCanvasElement, on: boolean): void {
  const visibility = on ? "" : "hidden";
  if (c.style.visibility !== visibility) c.style.visibility = visibility;
}

/** Gives a layer a 1×1 pixel buffer (left alone if it has one: resizing a canvas, even to its own size, reallocates its buffers). */
function shrink(c: HTMLCanvasElement): void {
  if (c.width === 1 && c.height === 1) return;
  c.width = 1;
  c.height = 1;
}

/** The node programs sigma does not have, registered after its defaults, in this order. */
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
  /** Programs not registered yet, in the order `prepare` registers them: sigma's defaults, then ours. */
  private readonly pendingPrograms: Registration[];
  /** Program types whose first draw has not happened yet. */
  private readonly coldTypes: NodeAttrs["type"][] = ["circle", "ring", "bordered"];
  /** The renderer was killed: nothing more is registered or drawn on it. */
  private killed = false;
  /**
   * The layers `park` took out of layout, shown again when sigma sizes them: non-empty exactly
   * while the layers are parked (1×1 backing stores, from creation until the first tree).
   */
  private outOfLayout: HTMLCanvasElement[] = [];

  constructor(
    private readonly renderer: Sigma<NodeAttrs, EdgeAttrs>,
    private readonly graph: Graph<NodeAttrs, EdgeAttrs>,
    heldRegistrations: readonly Registration[] = [],
  ) {
    this.pendingPrograms = [
      ...heldRegistrations,
      ...laterPrograms().map(([type, program]) => () => {
        const classes = { ...renderer.getSetting("nodeProgramClasses"), [type]: program };
        renderer.setSetting("nodeProgramClasses", classes);
      }),
    ];
    renderer.on("resize", () => {
      this.resized = true;
      // Until this frame's commit (which reads the resized layers back) is over.
      requestAnimationFrame(() => setTimeout(() => (this.resized = false), 0));
      for (const c of this.outOfLayout) c.style.display = "";
      this.outOfLayout = [];
      this.shrinkIdleLayers();
    });
    const r = this.internals();
    this.frames = new FrameStage(
      r.webGLContexts,
      r.canvasContexts,
      GL_LAYERS,
      ["labels", "hovers"],
      () => {
        this.showFrame(this.edgesOfStagedFrame);
      },
      () => this.stageIdle(),
    );
    // While the graph is dragged, the edge and node layers are shown through one 2D canvas (see `showFrame`).
    renderer.createCanvasContext("picture");
    this.picture = this.internals().canvasContexts.picture!;
    renderer.getCanvases().labels?.before(this.picture.canvas);
    const layers = renderer.getCanvases();
    // Every layer but the mouse one (which catches the events, on top) in one element, moved as a
    // whole while the graph is dragged (see `shiftWhileDragging`).
    this.stage = document.createElement("div");
    this.stage.className = "sigma-stage";
    Object.assign(this.stage.style, { position: "absolute", inset: "0", willChange: "transform" });
    // In their order in the page (sigma's own order, the picture under the labels), not the order
    // sigma created them in.
    const below = [...renderer.getContainer().children].filter((c) => c !== layers.mouse);
    layers.mouse?.before(this.stage);
    this.stage.append(...below);
    // Until sigma draws a frame (see `showFrame`).
    for (const id of GL_LAYERS) {
      const c = layers[id];
      if (c) c.style.visibility = "hidden";
    }
    // Nothing is ever drawn on the edge-label layer (edge labels are off).
    if (layers.edgeLabels) layers.edgeLabels.style.display = "none";
    this.park();
    // The mouse layer only catches events, which a transparent element still gets; at opacity 0
    // the compositor skips it.
    if (layers.mouse) layers.mouse.style.opacity = "0";
    this.showHoverLayers(false);
    let edgesDrawn = false;
    renderer.on("beforeRender", () => {
      const moving = this.moving();
      edgesDrawn = !(renderer.getSetting("hideEdgesOnMove") && moving);
      this.copying = this.dragging();
      this.labelContext = r.canvasContexts.labels;
      if (moving) this.skipPicking();
    });
    renderer.on("afterRender", () => {
      this.framesDrawn++;
      // A staged frame's layers are shown with it, once it is on them.
      if (this.frames.busy) this.edgesOfStagedFrame = edgesDrawn;
      else this.showFrame(edgesDrawn);
      this.restorePicking();
    });
    renderer.on("kill", () => {
      this.killed = true;
      this.frames.kill();
      if (this.pickingTimer !== null) clearTimeout(this.pickingTimer);
    });
    this.skipPickingReadsWhileDragging();
    this.shiftWhileDragging();
    this.copyHoverNodes();
  }

  /** Frames sigma drew (not counting those shown by moving the last one, see `shiftWhileDragging`). */
  framesDrawn = 0;

  /**
   * Nothing is in motion or on its way: the camera is still, no frame is asked for and not yet
   * drawn (scheduled, held, missed or staged and not shown), and the last frame drew the picking
   * pass (what a click reads). What the browser tests wait for before reading positions, pixels or
   * label boxes, and before clicking a node.
   */
  get settled(): boolean {
    const r = this.internals();
    return (
      !this.moving() &&
      r.renderFrame === null &&
      r.renderHighlightedNodesFrame === null &&
      !this.held &&
      !this.missedFrame &&
      !this.frames.busy &&
      !this.pickingStale
    );
  }
  /** Frames drawn off screen and shown once the GPU side has finished them (see frame-stage.ts). */
  private readonly frames: FrameStage;
  /** Whether the staged frame being finished drew its edges (its layers are shown with it). */
  private edgesOfStagedFrame = false;
  /** Sigma resized its layers (which clears them), and the commit that reads them back is not over. */
  private resized = false;
  /** The 2D context the frame being drawn, or the last one, drew its labels into. */
  labelContext: CanvasRenderingContext2D | undefined;

  /** The last staged frame is shown and its commit done: draws the frame asked for meanwhile (in this animation frame). */
  private stageIdle(): void {
    if (this.missedFrame && !this.held && !this.killed) {
      this.missedFrame = false;
      this.internals().render();
    }
  }
  /** The element holding every layer but the mouse one. */
  private readonly stage: HTMLDivElement;
  /** The 2D layer that shows what sigma drew on its edge and node layers while the graph is dragged. */
  private readonly picture: CanvasRenderingContext2D;
  /** The frame being drawn (and so the one shown) is shown through the 2D copies: the graph is being dragged. */
  private copying = false;
  /** The hover layers have something on them (`showHoverLayers`). */
  private hoverShown = false;

  /**
   * Shows the frame sigma just drew: while the graph is dragged through 2D copies (see
   * `copyPicture`), otherwise on sigma's WebGL layers themselves. Copying a WebGL canvas into a 2D
   * one makes this thread wait until the GPU side has drawn the frame, where the compositor reads
   * a shown WebGL layer back without holding the page: worth it only for frames the compositor
   * then moves many times (a drag), not for those of an expansion, a search or a zoom.
   */
  private showFrame(edgesDrawn: boolean): void {
    if (this.outOfLayout.length > 0) return; // parked: the warm-up draws are not shown
    const layers = this.renderer.getCanvases();
    if (this.copying) this.copyPicture(edgesDrawn);
    setShown(this.picture.canvas, this.copying);
    // An edge layer sigma only cleared (edges are left out while the camera moves) is not composited.
    if (layers.edges) setShown(layers.edges, !this.copying && edgesDrawn);
    if (layers.nodes) setShown(layers.nodes, !this.copying);
    if (layers.hoverNodes) setShown(layers.hoverNodes, !this.copying && this.hoverShown);
    if (layers.hovers) setShown(layers.hovers, this.hoverShown);
  }

  /**
   * Copies the frame sigma just drew on its edge and node layers (WebGL) onto the picture layer.
   * On software compositing a shown WebGL layer is read back on every frame it was drawn, and
   * blended over the pane on every frame the compositor draws, in a format (upside down, RGBA)
   * it converts each time, several times the cost of a 2D layer's blend: during a drag the WebGL
   * layers are hidden, and their frame is read back once here, into a layer the compositor moves
   * and draws cheaply, as often as it likes (see `shiftWhileDragging`).
   */
  private copyPicture(edgesDrawn: boolean): void {
    const { width, height } = this.renderer.getDimensions();
    const layers = this.renderer.getCanvases();
    const ctx = this.picture;
    ctx.clearRect(0, 0, width, height);
    if (edgesDrawn && layers.edges) ctx.drawImage(layers.edges, 0, 0, width, height);
    if (layers.nodes) ctx.drawImage(layers.nodes, 0, 0, width, height);
  }

  /** Frames are held back (see `hold`); one was asked for meanwhile. */
  private held = false;
  private missedFrame = false;

  /**
   * Holds sigma's frames back while the graph is being built in several tasks (an expansion adds
   * its nodes a slice per task): each frame in between would draw a graph that is about to
   * change, and on software GL the page waits for every frame to be drawn. The frame asked for
   * meanwhile is drawn when the hold ends.
   */
  hold(on: boolean): void {
    this.held = on;
    if (!on && this.missedFrame && !this.killed) {
      this.missedFrame = false;
      this.renderer.scheduleRender();
    }
  }

  /**
   * Runs `change` on the graph with sigma not listening, then has sigma index the graph once.
   * Sigma answers every dropped node and edge by indexing the whole graph again (every node and
   * edge through the reducers): dropping an expansion's 2,000 nodes and their edges one by one
   * took seconds in one task.
   */
  batch(change: () => void): void {
    try {
      this.quietly(change);
    } finally {
      const r = this.internals();
      // The one piece of sigma's per-drop bookkeeping its full index below does not redo.
      if (r.hoveredNode !== null && !this.graph.hasNode(r.hoveredNode)) r.hoveredNode = null;
      if (!this.killed) this.renderer.refresh({ schedule: true });
    }
  }

  /**
   * Runs `change` on the graph with sigma not listening, for a caller that has sigma index the
   * whole graph afterwards (`refresh`) before anything is drawn or picked.
   */
  quietly(change: () => void): void {
    const r = this.internals();
    r.unbindGraphHandlers();
    try {
      change();
    } finally {
      r.bindGraphHandlers();
    }
  }

  /**
   * Changes sigma's settings without the whole-graph indexing sigma does on every change, for a
   * caller that has sigma index the graph afterwards (`refresh`): the settings changed here
   * (label and edge switches) are read when the graph is indexed or drawn.
   */
  setSettingsQuietly(settings: Parameters<Sigma<NodeAttrs, EdgeAttrs>["setSettings"]>[0]): void {
    const r = this.internals();
    const refresh = r.scheduleRefresh;
    r.scheduleRefresh = () => this.renderer;
    try {
      this.renderer.setSettings(settings);
    } finally {
      r.scheduleRefresh = refresh;
    }
  }

  /** The camera of the last frame sigma drew during the current drag (null when there is none). */
  private drawnCamera: CameraState | null = null;
  /** The translation the drawn layers are shown with (CSS pixels). */
  private shown = { x: 0, y: 0 };

  /**
   * While the stage is dragged the camera only translates, so a frame sigma would draw is the last
   * one moved by whole pixels: the drawn layers are moved with a CSS transform instead, which the
   * compositor does without a WebGL draw, a read-back of the layer or a new label canvas. Sigma
   * draws again once the picture has moved MAX_SHIFT pixels since its last frame (the strip it
   * uncovers is empty meanwhile), and whenever anything but the camera's position changed.
   */
  private shiftWhileDragging(): void {
    const r = this.internals();
    const render = r.render.bind(this.renderer);
    // A frame not drawn: sigma's scheduled one (if this call is not it) is dropped too.
    const skip = () => {
      if (r.renderFrame !== null) cancelAnimationFrame(r.renderFrame);
      r.renderFrame = null;
      return this.renderer;
    };
    r.render = () => {
      if (this.held || this.frames.busy) {
        // The frame is drawn when the hold ends (`hold`) or the staged frame is shown.
        this.missedFrame = true;
        return skip();
      }
      const shift = this.dragShift();
      if (shift) {
        this.showShifted(shift.x, shift.y);
        return skip();
      }
      this.showShifted(0, 0);
      // Frames of a drag are shown at once (copied to 2D layers, see `copyPicture`), and so is
      // the first frame after the layers were resized (cleared: staged, it would leave them blank
      // until it is shown, and this frame's commit reads the resized layers back, after the
      // staged drawing). Sigma's own resize first, so that a frame is staged at the layers' size.
      this.renderer.resize();
      const staged =
        this.frames.available && !this.dragging() && this.outOfLayout.length === 0 && !this.resized;
      if (staged) this.frames.begin(this.glLayersHidden());
      let out: unknown;
      try {
        out = render();
      } finally {
        if (staged) this.frames.end();
      }
      this.drawnCamera = this.dragging() ? this.renderer.getCamera().getState() : null;
      return out;
    };
  }

  /** None of the WebGL layers is shown (before the first frame of a dump): a frame drawn on them is not seen until `showFrame`. */
  private glLayersHidden(): boolean {
    const layers = this.renderer.getCanvases();
    return GL_LAYERS.every((id) => layers[id]?.style.visibility === "hidden");
  }

  private dragging(): boolean {
    const m = this.renderer.getMouseCaptor();
    return m.isMouseDown && m.draggedEvents > 0;
  }

  /** How far (whole CSS pixels) the drawn picture must move to show the camera's view, if only that changed. */
  private dragShift(): { x: number; y: number } | null {
    const drawn = this.drawnCamera;
    if (!drawn || !this.dragging() || this.internals().needToProcess) return null;
    const now = this.renderer.getCamera().getState();
    if (now.ratio !== drawn.ratio || now.angle !== drawn.angle) return null;
    const corner = this.renderer.viewportToFramedGraph({ x: 0, y: 0 }, { cameraState: drawn });
    const at = this.renderer.framedGraphToViewport(corner, { cameraState: now });
    const x = Math.round(at.x);
    const y = Math.round(at.y);
    return Math.abs(x) > MAX_SHIFT || Math.abs(y) > MAX_SHIFT ? null : { x, y };
  }

  private showShifted(x: number, y: number): void {
    if (x === this.shown.x && y === this.shown.y) return;
    this.shown = { x, y };
    this.stage.style.transform = x === 0 && y === 0 ? "" : `translate(${x}px, ${y}px)`;
  }

  /** Each node program's picking pass, set aside for the frame being drawn (see `skipPicking`). */
  private readonly setAside = new Map<{ pickProgram: unknown }, unknown>();
  /** A frame left the picking texture behind the camera; the next still frame must redraw it. */
  private pickingStale = false;
  private pickingTimer: ReturnType<typeof setTimeout> | null = null;

  private internals(): SigmaInternals {
    return this.renderer as unknown as SigmaInternals;
  }

  /**
   * Every frame sigma reallocates a full-size picking texture and draws every node a second time
   * into it (node colours by index, read under the pointer for hover and click). While the camera
   * moves nothing reads it (see `skipPickingReadsWhileDragging`), and on software GL that is GPU
   * work on every frame of a pan: those frames leave it out, and the first still frame draws it.
   */
  private skipPicking(): void {
    const r = this.internals();
    for (const program of Object.values(r.nodePrograms)) {
      if (!program.pickProgram) continue;
      this.setAside.set(program, program.pickProgram);
      program.pickProgram = null;
    }
    r.pickingLayers.delete("nodes");
    this.pickingStale = true;
  }

  private restorePicking(): void {
    const r = this.internals();
    if (this.setAside.size === 0) {
      if (r.pickingLayers.has("nodes")) this.pickingStale = false;
      return;
    }
    for (const [program, pick] of this.setAside) program.pickProgram = pick;
    this.setAside.clear();
    r.pickingLayers.add("nodes");
    // Sigma's last frame of a move (drag released, animation or wheel zoom over) is a still one,
    // which draws the picking pass again; this makes sure of it whatever ended the move.
    if (this.pickingTimer === null) this.pickingTimer = setTimeout(() => this.redrawPicking(), 100);
  }

  private redrawPicking(): void {
    this.pickingTimer = null;
    if (!this.pickingStale) return;
    if (this.moving()) this.pickingTimer = setTimeout(() => this.redrawPicking(), 100);
    else this.renderer.scheduleRender();
  }

  /**
   * Sigma reads the picking texture under the pointer on every mouse move (one pixel, a round trip
   * that waits for the GPU side to finish the frames queued before it), also while the stage is
   * dragged, when no node can be hovered: nothing is read then.
   */
  private skipPickingReadsWhileDragging(): void {
    const r = this.internals();
    const read = r.getNodeAtPosition.bind(this.renderer);
    r.getNodeAtPosition = (position) => (this.dragging() ? null : read(position));
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
   * Shows or hides the layer the hovered and highlighted nodes are shown on (see `copyHoverNodes`):
   * empty most of the time, and every layer shown is blended over the pane on every frame.
   */
  showHoverLayers(on: boolean, withNextFrame = false): void {
    this.hoverShown = on;
    // A WebGL layer shown again is read back in the next commit, after a staged frame's drawing:
    // with a frame to come (or one being finished), the layers change with it (`showFrame`).
    if (withNextFrame || this.frames.busy) return;
    const { hovers, hoverNodes } = this.renderer.getCanvases();
    if (hovers) setShown(hovers, on);
    if (hoverNodes) setShown(hoverNodes, on && !this.copying);
  }

  /**
   * Sigma draws the hovered and highlighted nodes' labels on its hover layer (2D) and the nodes
   * themselves on a WebGL layer above it: during a drag the WebGL layer is hidden and what it drew
   * is copied onto the hover layer, for the reasons of `copyPicture`.
   */
  private copyHoverNodes(): void {
    const r = this.internals();
    const draw = r.renderHighlightedNodes.bind(this.renderer);
    r.renderHighlightedNodes = () => {
      draw();
      if (!this.copying || this.outOfLayout.length > 0) return;
      if (r.hoveredNode === null && r.highlightedNodes.size === 0) return;
      const { width, height } = this.renderer.getDimensions();
      const nodes = this.renderer.getCanvases().hoverNodes;
      if (nodes) r.canvasContexts.hovers?.drawImage(nodes, 0, 0, width, height);
    };
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
      if (c) shrink(c);
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
      // Out of layout, a layer is not composited: a frame never waits for the GPU side to run
      // the warm-up draws on it (which is where a program's shaders are compiled for the CPU).
      if (c.style.display !== "none") {
        c.style.display = "none";
        this.outOfLayout.push(c);
      }
      shrink(c);
    }
  }

  /**
   * Sigma's layers follow their container's size, and the graph is drawn again. While a staged
   * frame is being finished the layers are resized by the frame drawn after it: resized now, they
   * would be read back in this frame's commit, after the staged frame's drawing.
   */
  resize(): void {
    if (this.frames.busy) {
      this.missedFrame = true;
      return;
    }
    this.renderer.resize();
    this.renderer.refresh();
  }

  /** Makes the renderer ready for a real graph: layers at their size, every program registered. */
  ready(): void {
    // Sigma's resize, forced: the container did not change.
    if (this.outOfLayout.length > 0) this.renderer.resize(true);
    while (this.pendingPrograms.length > 0) this.registerNext();
  }

  private registerNext(): void {
    this.pendingPrograms.shift()?.();
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
      if (this.killed) return;
      this.registerNext();
    }
    while (this.coldTypes.length > 0) {
      await frame();
      if (this.killed) return;
      const type = this.coldTypes.shift()!;
      if (this.graph.order > 0) return; // a dump arrived: its own first frame does the rest
      this.drawOnce(type);
    }
    await frame();
    // The copy of a staged frame onto the layers (a blit) is compiled on its first use too.
    if (!this.killed && this.outOfLayout.length > 0) this.frames.warm();
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
    // The layers are out of layout, so no frame sends these draws to the GPU side: sent now, they
    // run there (and compile the program) while this thread goes on.
    for (const gl of Object.values(this.internals().webGLContexts)) gl.flush();
    this.graph.clear();
  }
}
