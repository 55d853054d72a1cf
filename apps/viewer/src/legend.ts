// The legend under the graph: one chip per state class, which doubles as the state filter, and the node marks.
import { SEVERITY_COLORS, STATE_COLORS, stateColor } from "./colors.ts";
import { clear, fmt, h } from "./dom.ts";
import type { Loaded } from "./protocol.ts";

/**
 * Fills `el` with the legend of a dump. `active` are the `state:` values of the current query;
 * clicking a chip calls `setStates` with the classes to show (empty: all).
 */
export function renderLegend(
  el: HTMLElement,
  loaded: Pick<Loaded, "groups" | "findings">,
  active: readonly string[],
  setStates: (classes: string[]) => void,
): void {
  clear(el);
  const counts = new Map<string, number>();
  const rawStates = new Map<string, Set<string>>();
  for (const g of loaded.groups) {
    counts.set(g.stateClass, (counts.get(g.stateClass) ?? 0) + g.count);
    let raw = rawStates.get(g.stateClass);
    if (!raw) rawStates.set(g.stateClass, (raw = new Set()));
    for (const st of Object.keys(g.states)) raw.add(st.toLowerCase());
  }
  const values = active.map((v) => v.toLowerCase());
  // A chip is on when a `state:` value would match its goroutines, as the filter matches them:
  // the class itself, part of its name, or part of a raw state in it (`state:chan` is every channel class).
  const matches = (c: string) =>
    values.some(
      (v) => c === v || c.includes(v) || [...(rawStates.get(c) ?? [])].some((st) => st.includes(v)),
    );
  const classes = Object.keys(STATE_COLORS).filter((c) => counts.has(c));
  const onClasses = classes.filter((c) => values.length === 0 || matches(c));
  for (const c of classes) {
    const on = values.length === 0 || matches(c);
    el.appendChild(
      h(
        "button",
        {
          class: `legend-item${on ? "" : " off"}`,
          title: `Show only ${c} (click again to remove)`,
          data: { state: c },
          attrs: { type: "button" },
          on: {
            // All on: show only this one. Otherwise toggle it among the classes shown now.
            click: () =>
              setStates(
                values.length === 0 ? [c] : on ? onClasses.filter((x) => x !== c) : [...onClasses, c],
              ),
          },
        },
        h("span", { class: "swatch", style: { background: stateColor(c) } }),
        `${c} ${fmt(counts.get(c) ?? 0)}`,
      ),
    );
  }
  const severities = new Set(loaded.findings.map((f) => f.severity));
  for (const sev of ["high", "medium", "low"] as const) {
    if (!severities.has(sev)) continue;
    el.appendChild(
      h(
        "span",
        { class: "legend-item static", data: { severity: sev } },
        h("span", { class: "swatch leak", style: { borderColor: SEVERITY_COLORS[sev] } }),
        `${sev} leak suspect`,
      ),
    );
  }
  el.appendChild(
    h("span", { class: "legend-item static" }, h("span", { class: "swatch ring" }), "ghost parent"),
  );
  el.appendChild(
    h("span", { class: "legend-item static" }, h("span", { class: "swatch orphan" }), "orphans"),
  );
}
