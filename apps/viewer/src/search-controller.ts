// Search: the search box's hits marked on the graph, Enter stepping through them and selecting each.
import type { AppState } from "./app-state.ts";
import { $ } from "./dom.ts";
import type { SearchHit } from "./protocol.ts";
import type { SelectionController } from "./selection-controller.ts";

export class SearchController {
  /** The last search: its text, its hits and the one selected. */
  private current: { text: string; hits: readonly SearchHit[]; at: number } | null = null;

  constructor(
    private readonly app: AppState,
    private readonly selection: SelectionController,
  ) {
    $("search").addEventListener("keydown", (e) => {
      if ((e as KeyboardEvent).key === "Enter") void this.run(($("search") as HTMLInputElement).value);
    });
  }

  /** A new text searches; the same text again selects its next hit. */
  async run(text: string): Promise<void> {
    const app = this.app;
    if (!app.loaded || !app.graph) return;
    const t = text.trim();
    if (!t) {
      this.current = null;
      app.setAppearance({ searchHits: new Set() });
      $("search").title = "";
      return;
    }
    let s = this.current;
    if (!s || s.text !== t) {
      const hits = await app.client.query({ kind: "search", text: t, limit: 200 });
      s = { text: t, hits, at: 0 };
    } else {
      s = { ...s, at: (s.at + 1) % Math.max(1, s.hits.length) };
    }
    this.current = s;
    app.setAppearance({ searchHits: new Set(s.hits.map((x) => app.tree.drawnId(x.nodeId))) });
    const hit = s.hits[s.at];
    $("search").title = s.hits.length ? `match ${s.at + 1} of ${s.hits.length} (Enter for next)` : "no match";
    $("search").classList.toggle("no-match", s.hits.length === 0);
    if (hit)
      await this.selection.select(hit.nodeId, {
        focus: true,
        ...(hit.goroutineId !== undefined ? { goroutineId: hit.goroutineId } : {}),
      });
  }
}
