// The spawn tree as a PNG: the whole graph fitted, at a size where its labels have room, every label that fits drawn.
import { downloadAsPNG } from "@sigma/export-image";
import type Graph from "graphology";
import type Sigma from "sigma";
import { NODE_BACKGROUND } from "./colors.ts";
import { type Box, collisionFreeLabels } from "./labels.ts";
import type { EdgeAttrs } from "./sigma-layers.ts";
import type { LayoutKind, NodeAttrs } from "./state.ts";

/** What an export drew: its size and its label boxes (for the tests). */
export interface ExportResult {
  width: number;
  height: number;
  labels: readonly Box[];
}

/** Size of the exported image: the pane, grown so that every label of the fitted tree has room. */
export function exportSize(
  graph: Graph<NodeAttrs, EdgeAttrs>,
  pane: { width: number; height: number },
  layout: LayoutKind,
): { width: number; height: number } {
  // Nodes per level (same x in the tree layout) and levels: a label line is about 18 px high,
  // a level about 260 px wide (the label room of one column).
  const perLevel = new Map<number, number>();
  graph.forEachNode((_, a) => {
    if (layout === "tree") perLevel.set(a.x, (perLevel.get(a.x) ?? 0) + 1);
  });
  // A loop, not Math.max(...values): a tree of 100,000 levels or more overflowed the call.
  let rows = 0;
  for (const v of perLevel.values()) if (v > rows) rows = v;
  return {
    width: Math.round(Math.min(8000, Math.max(pane.width, (perLevel.size + 1) * 260))),
    height: Math.round(Math.min(8000, Math.max(pane.height, rows * 18))),
  };
}

/**
 * Downloads the renderer's graph as a PNG, fitted (not the current camera), at `exportSize`, every
 * label that fits drawn (not only those sigma's grid picks on screen); `drawn` hears what it drew.
 */
export function exportPng(
  renderer: Sigma<NodeAttrs, EdgeAttrs>,
  graph: Graph<NodeAttrs, EdgeAttrs>,
  layout: LayoutKind,
  fileName: string,
  drawn: (r: ExportResult) => void,
): Promise<void> {
  const exportLabels = collisionFreeLabels();
  const { width, height } = exportSize(graph, renderer.getDimensions(), layout);
  // export-image is typed for untyped attributes; the renderer is the same object.
  return downloadAsPNG(renderer as unknown as Sigma, {
    fileName,
    backgroundColor: NODE_BACKGROUND,
    width,
    height,
    cameraState: { x: 0.5, y: 0.5, ratio: 1, angle: 0 },
    sigmaSettings: {
      defaultDrawNodeLabel: exportLabels.draw,
      labelRenderedSizeThreshold: 0,
      labelDensity: 100,
    },
    // The temporary renderer drew twice already (created, then refreshed with the camera):
    // once more with fresh label boxes, so the image holds one frame's labels.
    withTempRenderer: (tmp) => {
      const ctx = tmp.getCanvases().labels?.getContext("2d");
      if (ctx) exportLabels.placer(ctx).reset();
      tmp.refresh();
      drawn({ width, height, labels: ctx ? [...exportLabels.placer(ctx).boxes] : [] });
    },
  });
}
