// The crash banner and the race list above the graph: what a panic, fatal error, signal or race report is about.
import { clear, fmt, h } from "./dom.ts";
import type { RaceAccessView } from "./incident.ts";
import type { DumpHeader, GoroutineDetail } from "./protocol.ts";

export interface IncidentActions {
  selectGoroutine(id: number): void;
  goroutine(id: number): Promise<GoroutineDetail | null>;
}

function frameList(
  frames: readonly { fn: string; file: string; line: number }[],
  testid: string,
): HTMLElement {
  return h(
    "ol",
    { class: "stack", data: { testid } },
    ...frames.map((f) =>
      h(
        "li",
        null,
        h("div", { class: "frame-fn" }, f.fn),
        h("div", { class: "frame-file" }, `${f.file}:${f.line}`),
      ),
    ),
  );
}

function accessTitle(a: RaceAccessView): string {
  const verb = a.atomic ? `atomic ${a.kind}` : a.kind;
  const who = a.goroutine === null ? "the main goroutine" : `goroutine ${a.goroutine}`;
  return `${a.previous ? "Previous " : ""}${a.previous ? verb : verb[0]!.toUpperCase() + verb.slice(1)} at ${a.address} by ${who}`;
}

/** Fills `el` with the dump's crash and races; hides it when there is neither. */
export function renderIncident(el: HTMLElement, header: DumpHeader, act: IncidentActions): void {
  clear(el);
  const { crash, races } = header;
  el.hidden = !crash && races.length === 0;
  if (crash) {
    const box = h("div", { class: `crash crash-${crash.kind}`, data: { testid: "crash" } });
    box.appendChild(
      h("pre", { class: "crash-message", data: { testid: "crash-message" } }, crash.message.join("\n")),
    );
    if (crash.goroutine !== null) {
      const id = crash.goroutine;
      const what = crash.kind === "signal" ? "took the signal" : "crashed";
      box.appendChild(
        h(
          "div",
          null,
          "Goroutine ",
          h(
            "button",
            {
              class: "link",
              attrs: { type: "button", "data-testid": "crash-goroutine" },
              on: { click: () => act.selectGoroutine(id) },
            },
            `#${id}`,
          ),
          ` ${what}.`,
        ),
      );
      const details = h("details", { attrs: { open: "" } }, h("summary", null, `Stack of goroutine ${id}`));
      box.appendChild(details);
      void act.goroutine(id).then((g) => {
        if (g) details.appendChild(frameList(g.frames, "crash-stack"));
      });
    } else if (crash.kind === "fatal") {
      box.appendChild(
        h("div", null, "Every goroutine is blocked: all of them are the story (see the list and the tree)."),
      );
    }
    el.appendChild(box);
  }
  if (races.length > 0) {
    const total = races.reduce((s, r) => s + r.count, 0);
    const box = h(
      "div",
      { class: "races", data: { testid: "races" } },
      h(
        "h2",
        null,
        `${fmt(total)} data race${total === 1 ? "" : "s"}${races.length !== total ? ` at ${fmt(races.length)} pairs of locations` : ""}`,
      ),
    );
    races.forEach((r, i) => {
      const race = h(
        "section",
        { class: "race", data: { testid: "race" } },
        h("h3", null, `Race ${i + 1}${r.count > 1 ? ` (seen ${fmt(r.count)} times)` : ""}`),
      );
      const cols = h("div", { class: "race-accesses" });
      for (const a of r.accesses) {
        cols.appendChild(
          h(
            "div",
            { class: "race-access", data: { testid: "race-access" } },
            h("b", null, accessTitle(a)),
            frameList(a.frames, "race-stack"),
          ),
        );
      }
      race.appendChild(cols);
      for (const g of r.goroutines) {
        race.appendChild(
          h(
            "details",
            { class: "race-goroutine" },
            h("summary", null, `Goroutine ${g.id} (${g.status}) created at`),
            frameList(g.createdAt, "race-created"),
          ),
        );
      }
      box.appendChild(race);
    });
    el.appendChild(box);
  }
}
