// The built viewer opened in Debian's Chromium, for the end-to-end tests of `view` and the agent's viewer link.
import { existsSync } from "node:fs";
// The viewer's Chromium launcher: Debian's chromium with the project's flags.
import { CHROMIUM_PATH, launch, settle } from "../../viewer/e2e/chromium.mjs";

export const hasChromium = existsSync(CHROMIUM_PATH);

export interface ViewerOutcome {
  /** The page's `data-state` once it settled: `ready`, or `error`. */
  state: string;
  /** Uncaught errors in the page. */
  errors: string[];
  /** The page's text. */
  text: string;
}

/** Opens `href`, waits (up to a minute) until the viewer is ready or has failed, and says what it showed. */
export async function openViewer(href: string): Promise<ViewerOutcome> {
  const browser = await launch();
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(href);
    // Runs in the page (this package's types have no DOM, hence the cast).
    const state = () =>
      (globalThis as unknown as { document: { body: { dataset: { state?: string } } } }).document.body.dataset
        .state ?? "";
    await tab.waitForFunction(
      () =>
        ["ready", "error"].includes(
          (globalThis as unknown as { document: { body: { dataset: { state?: string } } } }).document.body
            .dataset.state ?? "",
        ),
      null,
      { timeout: 60_000 },
    );
    // "ready" is said once the tree is drawn; the group list (the page's text) and the counts come
    // with the load's filter, a worker answer later: the page's settled() hook says when that is done.
    if ((await tab.evaluate(state)) === "ready") await settle(tab);
    return { state: await tab.evaluate(state), errors, text: (await tab.textContent("body")) ?? "" };
  } finally {
    await browser.close();
  }
}
