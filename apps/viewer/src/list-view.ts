// The virtualised list of goroutine groups (same stack and state), biggest first, under the incidents that tie several
// groups to one cause: only the rows in view exist in the DOM.

import { stateColor } from "./colors.ts";
import { clear, fmt, h, statesText, waitRange } from "./dom.ts";
import type { GroupView, IncidentView } from "./protocol.ts";

const HEADER_PX = 24;
const LINE_PX = 16;
const PAD_PX = 10;
/** Frames shown per row; the full stack is one click away in the side panel. */
const MAX_FRAMES = 10;
const OVERSCAN_PX = 400;

export interface ListRow {
  readonly group: GroupView;
  /** Goroutines of the group that pass the filter. */
  readonly matched: number;
}

/** Member groups named on an incident's row; the panel lists the rest. */
const MAX_MEMBERS = 6;

type Row = { readonly incident: IncidentView } | ListRow;

function incidentHeight(x: IncidentView): number {
  const shown = Math.min(x.members.length, MAX_MEMBERS);
  return HEADER_PX + (1 + shown + (x.members.length > MAX_MEMBERS ? 1 : 0)) * LINE_PX + PAD_PX;
}

function heightOf(r: Row): number {
  return "incident" in r ? incidentHeight(r.incident) : rowHeight(r.group);
}

function rowHeight(g: GroupView): number {
  const shown = Math.min(g.frames.length, MAX_FRAMES);
  return HEADER_PX + shown * 2 * LINE_PX + (g.frames.length > MAX_FRAMES ? LINE_PX : 0) + PAD_PX;
}

/** Index of the last row whose top is at or above `y` (binary search over prefix sums). */
export function rowAt(tops: Float64Array, count: number, y: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tops[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}

export class ListView {
  private rows: Row[] = [];
  private tops = new Float64Array(1);
  private readonly spacer: HTMLElement;
  private readonly layer: HTMLElement;
  private frameTable: readonly string[] = [];
  private scheduled = false;
  private selected = -1;
  private selectedIncident: string | null = null;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly onPick: (g: GroupView) => void,
    private readonly onPickIncident: (x: IncidentView) => void = () => {},
  ) {
    this.spacer = h("div", { class: "list-spacer" });
    this.layer = h("div", { class: "list-layer" });
    this.spacer.appendChild(this.layer);
    this.scroller.appendChild(this.spacer);
    this.scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /**
   * Incidents first (in the analysis' order, most severe first), each shown while one of its groups passes
   * the filter, then the groups, which stay listed on their own too.
   */
  setData(rows: ListRow[], frameTable: readonly string[], incidents: readonly IncidentView[] = []): void {
    this.frameTable = frameTable;
    const groups = rows
      .filter((r) => r.matched > 0)
      .sort((a, b) => b.matched - a.matched || a.group.index - b.group.index);
    const matching = new Set(groups.map((r) => r.group.index));
    this.groupCount = groups.length;
    this.rows = [
      ...incidents.filter((x) => x.groups.some((g) => matching.has(g))).map((incident) => ({ incident })),
      ...groups,
    ];
    this.tops = new Float64Array(this.rows.length + 1);
    for (let i = 0; i < this.rows.length; i++) this.tops[i + 1] = this.tops[i]! + heightOf(this.rows[i]!);
    this.spacer.style.height = `${this.tops[this.rows.length]}px`;
    this.schedule();
  }

  private groupCount = 0;

  /** Groups listed (incidents not counted). */
  get length(): number {
    return this.groupCount;
  }

  select(groupIndex: number): void {
    this.selected = groupIndex;
    this.selectedIncident = null;
    this.scrollTo(this.rows.findIndex((r) => !("incident" in r) && r.group.index === groupIndex));
  }

  selectIncident(id: string): void {
    this.selected = -1;
    this.selectedIncident = id;
    this.scrollTo(this.rows.findIndex((r) => "incident" in r && r.incident.id === id));
  }

  private scrollTo(i: number): void {
    if (i >= 0) {
      const top = this.tops[i]!;
      if (top < this.scroller.scrollTop || top > this.scroller.scrollTop + this.scroller.clientHeight - 40) {
        this.scroller.scrollTop = top;
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  private render(): void {
    clear(this.layer);
    const n = this.rows.length;
    if (n === 0) {
      this.layer.appendChild(h("div", { class: "list-empty" }, "No goroutine group matches the filter."));
      return;
    }
    const top = this.scroller.scrollTop - OVERSCAN_PX;
    const bottom = this.scroller.scrollTop + this.scroller.clientHeight + OVERSCAN_PX;
    const first = rowAt(this.tops, n, Math.max(0, top));
    const frag = document.createDocumentFragment();
    for (let i = first; i < n && this.tops[i]! < bottom; i++) {
      const r = this.rows[i]!;
      frag.appendChild(
        "incident" in r ? this.renderIncident(r.incident, this.tops[i]!) : this.renderRow(r, this.tops[i]!),
      );
    }
    this.layer.appendChild(frag);
  }

  private renderIncident(x: IncidentView, top: number): HTMLElement {
    const row = h(
      "div",
      {
        class: `list-row list-incident${x.id === this.selectedIncident ? " selected" : ""}`,
        data: { incident: x.id, testid: "incident-row" },
        on: { click: () => this.onPickIncident(x) },
      },
      h(
        "div",
        { class: "list-head" },
        h("span", { class: `sev sev-${x.severity}` }, x.severity),
        h("b", { class: "list-count" }, fmt(x.count)),
        h("span", { class: "list-incident-title", title: x.title }, x.title),
      ),
      h(
        "div",
        { class: "frame-file" },
        `${x.kind} · ${x.members.length} groups${x.rootCause ? ` · root cause ${x.rootCause}` : ""}`,
      ),
      ...x.members.slice(0, MAX_MEMBERS).map((m) => h("div", { class: "frame-fn" }, m)),
      x.members.length > MAX_MEMBERS
        ? h("div", { class: "frame-more" }, `… ${x.members.length - MAX_MEMBERS} more groups`)
        : null,
    );
    row.style.top = `${top}px`;
    row.style.height = `${incidentHeight(x) - 2}px`;
    return row;
  }

  private renderRow(r: ListRow, top: number): HTMLElement {
    const g = r.group;
    const states = statesText(g.states);
    const countText = r.matched === g.count ? fmt(g.count) : `${fmt(r.matched)} of ${fmt(g.count)}`;
    const wr = waitRange(g.waitMin, g.waitMax);
    const row = h(
      "div",
      {
        class: `list-row${g.index === this.selected ? " selected" : ""}`,
        data: { group: String(g.index) },
        on: { click: () => this.onPick(g) },
      },
      h(
        "div",
        { class: "list-head" },
        h("span", { class: "swatch", style: { background: stateColor(g.stateClass) } }),
        h("b", { class: "list-count" }, countText),
        h("span", { class: "list-states" }, states),
        wr ? h("span", { class: "list-wait" }, wr) : null,
        g.severity ? h("span", { class: `sev sev-${g.severity}` }, g.severity) : null,
      ),
    );
    row.style.top = `${top}px`;
    row.style.height = `${rowHeight(g) - 2}px`;
    const shown = g.frames.slice(0, MAX_FRAMES);
    for (const fi of shown) {
      if (fi < 0) {
        row.appendChild(h("div", { class: "frame-fn elided" }, "...frames elided..."));
        row.appendChild(h("div", { class: "frame-file" }, ""));
        continue;
      }
      const t = this.frameTable[fi] ?? "";
      const tab = t.indexOf("\t");
      row.appendChild(h("div", { class: "frame-fn" }, tab >= 0 ? t.slice(0, tab) : t));
      row.appendChild(h("div", { class: "frame-file" }, tab >= 0 ? t.slice(tab + 1) : ""));
    }
    if (g.frames.length > MAX_FRAMES) {
      row.appendChild(h("div", { class: "frame-more" }, `… ${g.frames.length - MAX_FRAMES} more frames`));
    }
    return row;
  }
}
