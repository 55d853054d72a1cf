// Developer tool: do two builds of the viewer draw the same picture? Screenshots of the graph pane
// after the bench's steps (the dump loaded, a function searched, its node expanded), one browser per
// build, and how many pixels differ at each step (decoded and compared by the page itself).
// Usage: node e2e/same-picture.mjs DIST_A DIST_B [dump] [--search TERM] [--keep DIR]
//        (TERM defaults to readLoop; exit code 1 when any pixel differs, 2 on a usage or load error)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expandSelected, launch, openDump, pngQuery, searchPath, settle } from "./chromium.mjs";
import { serve } from "./server.mjs";

const args = process.argv.slice(2);
/** Takes `--name VALUE` out of the arguments. */
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const keepArg = option("--keep");
const keep = keepArg ? resolve(keepArg) : null;
const term = option("--search") ?? "readLoop";
const [distA, distB, dumpArg] = args;
if (!distA || !distB) {
  console.error("usage: node e2e/same-picture.mjs DIST_A DIST_B [dump] [--search TERM] [--keep DIR]");
  process.exit(2);
}
const dump = resolve(dumpArg ?? "/work/shared/corpus/generated/large/go1.26-spawnfarm-216k.txt.gz");
const dir = keep ?? mkdtempSync(join(tmpdir(), "gosleuth-same-picture-"));
const steps = ["loaded", "searched", "expanded"];

class LoadError extends Error {}

/** Screenshots of the graph pane after each step, for one build, as `${name}-${step}.png`. */
async function shoot(dist, name) {
  const server = await serve({ dist: resolve(dist), dump });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on("pageerror", (e) => console.error(`${name}: page error: ${e.message}`));
    const shot = async (step) => {
      // Every frame asked for drawn and shown, the camera still (a build without that hook: a pause).
      await settle(page);
      writeFileSync(join(dir, `${name}-${step}.png`), await page.locator("#graph").screenshot());
    };
    const state = await openDump(page, server.url, { timeout: 300_000 });
    if (state !== "ready") throw new LoadError(`${dist} did not load ${dump} (page state: ${state})`);
    await shot("loaded");
    await searchPath(page, term);
    await shot("searched");
    await expandSelected(page);
    await shot("expanded");
  } finally {
    await browser.close();
    await server.close();
  }
}

try {
  await shoot(distA, "a");
  await shoot(distB, "b");
} catch (e) {
  if (!(e instanceof LoadError)) throw e;
  console.error(`@gosleuth/viewer same-picture: ${e.message}`);
  process.exit(2);
}
const browser = await launch();
const page = await browser.newPage();
let differ = false;
for (const step of steps) {
  const png = (name) => readFileSync(join(dir, `${name}-${step}.png`));
  const result = await pngQuery(page, [png("a"), png("b")], { op: "diff" });
  if (result.n !== 0) differ = true;
  console.log(
    result.n < 0
      ? `${step}: sizes differ (${result.size})`
      : `${step}: ${result.n} pixels differ of ${result.size}${result.n > 0 ? ` (at most ${result.max} levels in a channel)` : ""}`,
  );
}
await browser.close();
if (!keep) rmSync(dir, { recursive: true, force: true });
process.exit(differ ? 1 : 0);
