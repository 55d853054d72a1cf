// Room for labels in the tree layouts: each label's drawn width, and the drawing's bounding box grown so labels end inside the pane.

/** Widths measured so far, by font and text: every layout of the tree measures its labels again. */
const measured = new Map<string, Map<string, number>>();
/** Texts kept per font before the cache starts over (each expanded node brings up to ~2,000). */
const MEASURED_MAX = 50_000;

/** Width in pixels of each label as sigma draws it (its default 14 px label font), measured once per text. */
export function labelWidths(labels: readonly string[], font: string): number[] {
  let known = measured.get(font);
  if (!known || known.size > MEASURED_MAX) measured.set(font, (known = new Map()));
  let ctx: CanvasRenderingContext2D | null | undefined;
  const out = labels.map((l) => {
    const w = known.get(l);
    if (w !== undefined) return w;
    if (ctx === undefined) {
      ctx = document.createElement("canvas").getContext("2d");
      if (ctx) ctx.font = `normal 14px ${font}`;
    }
    if (!ctx) return l.length * 8;
    const width = ctx.measureText(l).width;
    known.set(l, width);
    return width;
  });
  return out;
}

/**
 * The drawing's bounding box with room for labels. Labels run to the right of their node, so the
 * tree layout gets room after its columns: enough for every label to end inside the pane at fit
 * (`widthPx`), when that leaves the tree itself at least a third of the pane.
 */
export function labelRoom(
  pos: ReadonlyMap<string, { x: number; y: number }>,
  kind: "tree" | "radial",
  labelPx: ReadonlyMap<string, number>,
  widthPx: number,
): { x: [number, number]; y: [number, number] } | null {
  if (pos.size === 0) return null;
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const p of pos.values()) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  const w = Math.max(1, x1 - x0);
  const hgt = Math.max(1, y1 - y0);
  if (kind === "tree") {
    // Pixels per layout unit such that node i's label (plus its node and a margin) ends in the pane:
    // scale * (x_i - x0) + label_i + 30 <= widthPx, for every node right of the first column.
    let scale = Number.POSITIVE_INFINITY;
    for (const [id, p] of pos) {
      if (p.x <= x0) continue;
      const room = widthPx - Math.min(labelPx.get(id) ?? 0, (2 * widthPx) / 3) - 30;
      scale = Math.min(scale, room / (p.x - x0));
    }
    const columns = new Set([...pos.values()].map((p) => p.x)).size;
    const oneColumn = w / Math.max(1, columns - 1 || 1);
    const right = Number.isFinite(scale) && scale > 0 ? Math.max(x1, x0 + widthPx / scale) : x1 + oneColumn;
    return { x: [x0, right], y: [y0 - 0.5, y1 + 0.5] };
  }
  return { x: [x0 - 0.15 * w, x1 + 0.15 * w], y: [y0 - 0.05 * hgt, y1 + 0.05 * hgt] };
}
