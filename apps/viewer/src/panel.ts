// The side panel: one node or goroutine in full (header, stack with copy, creator, children, path to the root).

import { SEVERITY_COLORS, stateColor } from "./colors.ts";
import { clear, fmt, h, statesText, waitRange } from "./dom.ts";
import type {
  FindingView,
  GoroutineDetail,
  GroupView,
  IncidentView,
  MemberView,
  TreeNodeView,
} from "./protocol.ts";

export interface PanelActions {
  select(nodeId: string): void;
  selectGoroutine(id: number): void;
  toggleExpand(nodeId: string): void;
  close(): void;
}

export interface PanelContent {
  /** Aggregated node shown (for a goroutine node: the node holding it). */
  readonly node: TreeNodeView | null;
  readonly expanded: boolean;
  readonly goroutine: GoroutineDetail | null;
  /** True when one goroutine was picked (by id, list row or expanded node); false when `goroutine` is the node's sample. */
  readonly focusGoroutine: boolean;
  readonly childNodes: readonly TreeNodeView[];
  readonly path: readonly { readonly label: string; readonly nodeId: string }[];
  readonly children: { readonly children: readonly MemberView[]; readonly total: number } | null;
  /** The picked goroutine's own ancestry (parent, grandparent ...), when one goroutine is picked. */
  readonly ancestry: readonly { readonly id: number; readonly function: string }[];
  readonly findings: readonly FindingView[];
  /** False when the dump holds only some goroutines (a GOTRACEBACK=single crash): a missing parent is "not in this dump", not "exited". */
  readonly complete: boolean;
}

function section(title: string, ...body: (Node | null)[]): HTMLElement {
  return h("section", { class: "panel-section" }, h("h3", null, title), ...body);
}

function link(text: string, onClick: () => void, title?: string): HTMLElement {
  return h(
    "button",
    { class: "link", title: title ?? text, attrs: { type: "button" }, on: { click: onClick } },
    text,
  );
}

/** Empties the panel, shows it, and gives it its head: a badge, a title and the close button. */
function openPanel(el: HTMLElement, badge: HTMLElement, title: string, close: () => void): void {
  clear(el);
  el.hidden = false;
  el.appendChild(
    h(
      "div",
      { class: "panel-head" },
      h("div", { class: "panel-title" }, badge, h("b", null, title)),
      link("×", close, "Close the panel"),
    ),
  );
}

export function renderPanel(el: HTMLElement, c: PanelContent, act: PanelActions): void {
  const n = c.node;
  const g = c.goroutine;
  openPanel(
    el,
    h("span", {
      class: "swatch",
      style: { background: stateColor(g?.stateClass ?? n?.stateClass ?? "unknown") },
    }),
    g && (c.focusGoroutine || !n)
      ? `goroutine ${g.id}`
      : n?.ghost
        ? "ghost parent"
        : `${fmt(n?.count ?? 0)} goroutine${n?.count === 1 ? "" : "s"}`,
    act.close,
  );

  if (n) {
    const states = statesText(n.states);
    const wr = waitRange(n.waitMin, n.waitMax);
    el.appendChild(
      section(
        c.focusGoroutine ? "In node" : "Node",
        h(
          "div",
          { class: "kv" },
          h("span", null, "function"),
          h("code", { data: { testid: "node-function" } }, n.function),
        ),
        n.creator
          ? h("div", { class: "kv" }, h("span", null, "created by"), h("code", null, n.creator))
          : null,
        states ? h("div", { class: "kv" }, h("span", null, "states"), h("span", null, states)) : null,
        wr ? h("div", { class: "kv" }, h("span", null, "wait"), h("span", null, wr)) : null,
        n.ghost
          ? h(
              "p",
              { class: "note" },
              !c.complete
                ? "This parent is not in this dump (only the crashing goroutine was printed); its children still name it."
                : n.exitedParents
                  ? `${fmt(n.exitedParents)} parent goroutine${n.exitedParents === 1 ? "" : "s"} that ran this function exited before the dump; their children still name them.`
                  : "This parent is not in the dump (it exited); its children still name it.",
            )
          : null,
        n.orphan
          ? h(
              "p",
              { class: "note" },
              c.complete
                ? "Orphans: their parent goroutine exited before the dump was taken."
                : "Their parent goroutine is not in this dump (only the crashing goroutine was printed).",
            )
          : null,
        n.id.startsWith("rest:")
          ? h(
              "button",
              {
                attrs: { type: "button", "data-testid": "unfold-btn" },
                on: { click: () => act.toggleExpand(n.id) },
              },
              "Draw these nodes",
            )
          : null,
        !n.ghost && n.count > 0 && !n.id.startsWith("rest:")
          ? h(
              "button",
              {
                attrs: { type: "button", "data-testid": "expand-btn" },
                on: { click: () => act.toggleExpand(n.id) },
              },
              c.expanded
                ? "Collapse goroutines"
                : `Expand into ${fmt(n.count)} goroutine${n.count === 1 ? "" : "s"}`,
            )
          : null,
      ),
    );
  }

  for (const f of c.findings) {
    el.appendChild(
      section(
        `Leak finding · ${f.severity}`,
        h(
          "div",
          { class: "finding", style: { borderColor: SEVERITY_COLORS[f.severity] } },
          h("b", null, f.title),
        ),
        h("ul", null, ...f.reasons.map((r) => h("li", null, r))),
      ),
    );
  }

  if (g) {
    const flags = [...g.flags];
    el.appendChild(
      section(
        c.focusGoroutine ? "Goroutine" : `Sample goroutine ${g.id}`,
        h(
          "div",
          { class: "kv" },
          h("span", null, "state"),
          h("span", { data: { testid: "g-state" } }, g.state),
        ),
        g.waitMinutes > 0
          ? h("div", { class: "kv" }, h("span", null, "wait"), h("span", null, `${fmt(g.waitMinutes)} min`))
          : null,
        flags.length
          ? h("div", { class: "kv" }, h("span", null, "flags"), h("span", null, flags.join(", ")))
          : null,
        ...Object.entries(g.labels).map(([k, v]) =>
          h("div", { class: "kv" }, h("span", null, `label ${k}`), h("code", null, v)),
        ),
      ),
    );
    const copy = h("button", { attrs: { type: "button", "data-testid": "copy-stack" } }, "Copy");
    copy.addEventListener("click", () => {
      void navigator.clipboard?.writeText(g.text).then(
        () => {
          copy.textContent = "Copied";
        },
        () => {
          copy.textContent = "Copy failed";
        },
      );
    });
    const stack = h("ol", { class: "stack", data: { testid: "stack" } });
    let e = 0;
    g.frames.forEach((f, i) => {
      while (e < g.elided.length && g.elided[e]!.index === i) {
        const cnt = g.elided[e]!.count;
        stack.appendChild(
          h(
            "li",
            { class: "elided" },
            cnt === null ? "…additional frames elided…" : `…${fmt(cnt)} frames elided…`,
          ),
        );
        e++;
      }
      stack.appendChild(
        h(
          "li",
          null,
          h("div", { class: "frame-fn" }, f.fn, f.inlined ? h("span", { class: "tag" }, "inlined") : null),
          h("div", { class: "frame-file" }, `${f.file}:${f.line}`),
        ),
      );
    });
    el.appendChild(section("Stack", h("div", { class: "row-right" }, copy), stack));
    if (g.createdBy) {
      const cb = g.createdBy;
      const parentId = cb.parentId;
      el.appendChild(
        section(
          "Creator",
          h("div", { class: "frame-fn" }, cb.fn),
          h("div", { class: "frame-file" }, `${cb.file}:${cb.line}`),
          parentId !== undefined
            ? h(
                "div",
                null,
                "in goroutine ",
                g.parentNodeId
                  ? link(String(parentId), () => act.selectGoroutine(parentId))
                  : h("span", null, `${parentId} (${c.complete ? "exited" : "not in this dump"})`),
              )
            : null,
        ),
      );
    }
    if (c.children && c.children.total > 0) {
      el.appendChild(
        section(
          `Children (${fmt(c.children.total)})`,
          h(
            "ul",
            { class: "plain" },
            ...c.children.children.map((m) =>
              h(
                "li",
                null,
                link(`#${m.id}`, () => act.selectGoroutine(m.id)),
                ` ${m.state}${m.waitMinutes ? `, ${m.waitMinutes} min` : ""}`,
              ),
            ),
            c.children.total > c.children.children.length
              ? h("li", null, `… ${fmt(c.children.total - c.children.children.length)} more`)
              : null,
          ),
        ),
      );
    }
  }

  if (c.ancestry.length > 1) {
    el.appendChild(
      section(
        "Ancestry",
        h(
          "ol",
          { class: "path", data: { testid: "ancestry" } },
          ...c.ancestry.map((a, i) =>
            h(
              "li",
              null,
              i === 0 ? h("b", null, `#${a.id}`) : link(`#${a.id}`, () => act.selectGoroutine(a.id)),
              ` ${a.function}`,
            ),
          ),
        ),
      ),
    );
  }

  if (c.childNodes.length > 0) {
    el.appendChild(
      section(
        `Child nodes (${fmt(c.childNodes.length)})`,
        h(
          "ul",
          { class: "plain" },
          ...c.childNodes.slice(0, 200).map((k) =>
            h(
              "li",
              null,
              link(`${fmt(k.count)} × ${k.function}`, () => act.select(k.id)),
              ` ${k.state}`,
            ),
          ),
        ),
      ),
    );
  }

  if (c.path.length > 1) {
    el.appendChild(
      section(
        "Path to root",
        h(
          "ol",
          { class: "path", data: { testid: "path" } },
          ...c.path.map((p) =>
            h(
              "li",
              null,
              link(p.label, () => act.select(p.nodeId)),
            ),
          ),
        ),
      ),
    );
  }
}

/**
 * One group of the list in the panel, for dumps without per-goroutine data (debug=1 profiles):
 * its count, states, wait, creator and stack.
 */
export function renderGroupPanel(
  el: HTMLElement,
  g: GroupView,
  frameTable: readonly string[],
  act: Pick<PanelActions, "close">,
): void {
  openPanel(
    el,
    h("span", { class: "swatch", style: { background: stateColor(g.stateClass) } }),
    `${fmt(g.count)} goroutine${g.count === 1 ? "" : "s"}`,
    act.close,
  );
  const states = statesText(g.states);
  const wr = waitRange(g.waitMin, g.waitMax);
  el.appendChild(
    section(
      "Group",
      states ? h("div", { class: "kv" }, h("span", null, "states"), h("span", null, states)) : null,
      wr ? h("div", { class: "kv" }, h("span", null, "wait"), h("span", null, wr)) : null,
      g.creator ? h("div", { class: "kv" }, h("span", null, "created by"), h("code", null, g.creator)) : null,
    ),
  );
  const stack = h("ol", { class: "stack", data: { testid: "stack" } });
  for (const i of g.frames) {
    if (i < 0) {
      stack.appendChild(h("li", { class: "elided" }, "…additional frames elided…"));
      continue;
    }
    const [fn = "", where = ""] = (frameTable[i] ?? "").split("\t");
    stack.appendChild(
      h("li", null, h("div", { class: "frame-fn" }, fn), h("div", { class: "frame-file" }, where)),
    );
  }
  el.appendChild(section("Stack", stack));
}

/** An incident picked in the list: what happened, where it starts, the evidence that tied its groups, and the groups. */
export function renderIncidentPanel(
  el: HTMLElement,
  x: IncidentView,
  act: Pick<PanelActions, "close">,
): void {
  openPanel(
    el,
    h("span", { class: `sev sev-${x.severity}` }, x.severity),
    `incident ${x.id}: ${fmt(x.count)} goroutine${x.count === 1 ? "" : "s"}`,
    act.close,
  );
  el.appendChild(
    section(
      "Incident",
      h("div", { data: { testid: "incident-title" } }, x.title),
      h("div", { class: "kv" }, h("span", null, "kind"), h("span", null, x.kind)),
      x.rootCause
        ? h(
            "div",
            { class: "kv" },
            h("span", null, "root cause"),
            h("code", { data: { testid: "incident-root" } }, x.rootCause),
          )
        : null,
    ),
  );
  el.appendChild(
    section(
      "Why these belong together",
      h("ul", { data: { testid: "incident-reasons" } }, ...x.reasons.map((r) => h("li", null, r))),
    ),
  );
  el.appendChild(
    section("Groups", h("ul", null, ...x.members.map((m) => h("li", null, h("code", null, m))))),
  );
}
