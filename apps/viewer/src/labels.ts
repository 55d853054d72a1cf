// Node labels without overlaps: sigma's label grid picks candidates per cell, but long labels run across cells
// and dense sibling columns put them on top of each other; this pass draws a label only where nothing is yet.
import type { NodeDisplayData, PartialButFor } from "sigma/types";
import { LABEL_COLOR, NODE_BACKGROUND } from "./colors.ts";

export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** Where sigma's default label drawer puts a label: right of the node, vertically centred on it. */
export function labelBox(x: number, y: number, nodeSize: number, width: number, fontSize: number): Box {
  const x0 = x + nodeSize + 3;
  return { x0, y0: y - fontSize * 0.6, x1: x0 + width, y1: y + fontSize * 0.55 };
}

/** The labels of one frame: a label is placed only if its box meets no box placed before it in the frame. */
export class LabelPlacer {
  private placed: Box[] = [];

  reset(): void {
    this.placed = [];
  }

  /** Forced labels (selection, its path, search hits) are always placed; others only where there is room. */
  place(box: Box, forced: boolean): boolean {
    if (!forced && this.placed.some((b) => overlaps(b, box))) return false;
    this.placed.push(box);
    return true;
  }

  get boxes(): readonly Box[] {
    return this.placed;
  }
}

type LabelData = PartialButFor<NodeDisplayData, "x" | "y" | "size" | "label" | "color">;
/** The label settings read (sigma's own, whatever its attribute types). */
interface LabelSettings {
  readonly labelSize: number;
  readonly labelWeight: string;
  readonly labelFont: string;
  readonly labelColor: { readonly color?: string };
}

/**
 * A `defaultDrawNodeLabel` for sigma that skips labels colliding with one already drawn in the
 * frame. One placer per canvas context, so a second renderer (the PNG export's) gets its own; call
 * `reset` for a context before each of its frames (sigma's `beforeRender`). A forced label is drawn
 * on a white box, so it stays readable where it has to cross another one.
 */
export function collisionFreeLabels(): {
  draw(ctx: CanvasRenderingContext2D, data: LabelData, settings: LabelSettings): void;
  placer(ctx: CanvasRenderingContext2D): LabelPlacer;
} {
  const placers = new WeakMap<CanvasRenderingContext2D, LabelPlacer>();
  const placer = (ctx: CanvasRenderingContext2D) => {
    let p = placers.get(ctx);
    if (!p) placers.set(ctx, (p = new LabelPlacer()));
    return p;
  };
  return {
    placer,
    draw(ctx, data, settings) {
      if (!data.label) return;
      const size = settings.labelSize;
      ctx.font = `${settings.labelWeight} ${size}px ${settings.labelFont}`;
      const box = labelBox(data.x, data.y, data.size, ctx.measureText(data.label).width, size);
      const forced = data.forceLabel === true;
      if (!placer(ctx).place(box, forced)) return;
      if (forced) {
        ctx.fillStyle = NODE_BACKGROUND;
        ctx.fillRect(box.x0 - 2, box.y0 - 1, box.x1 - box.x0 + 4, box.y1 - box.y0 + 2);
      }
      ctx.fillStyle = settings.labelColor.color ?? LABEL_COLOR;
      ctx.fillText(data.label, data.x + data.size + 3, data.y + size / 3);
    },
  };
}
