// The text layout per family of dump, kept as files so a change of layout is reviewed as a diff:
// panic, fatal deadlock, SIGQUIT, race report, debug=2 server.
import { corpus, fixture, hasSharedCorpus } from "@gosleuth/fixtures";
import { describe, expect, it } from "vitest";
import { reportOf } from "./helpers.test-util.ts";
import { renderMarkdown } from "./render-md.ts";
import { renderText } from "./render-text.ts";

const bundled: [string, string, number | undefined][] = [
  ["panic", "generated/go-versions/go1.26-crash-repanic.txt", undefined],
  ["panic-signal", "generated/go-versions/go1.26-crash-nil.txt", undefined],
  ["fatal-deadlock", "generated/go-versions/go1.26-crash-deadlock.txt", undefined],
  ["fatal-mapwrites", "generated/go-versions/go1.26-crash-mapwrites.txt", undefined],
  ["sigquit", "generated/go-versions/go1.26-spawnfarm-sigquit-system.txt", 4],
  ["debug2-server", "generated/servers/caddy-2.11-t0-debug2.txt", 8],
];

describe("golden text", () => {
  for (const [family, file, limit] of bundled) {
    it(`${family} (${file})`, async () => {
      const r = reportOf(fixture(file), limit === undefined ? {} : { limit });
      await expect(renderText(r)).toMatchFileSnapshot(`__golden__/${family}.txt`);
    });
  }
  it("debug2 server as Markdown", async () => {
    const r = reportOf(fixture("generated/servers/caddy-2.11-t0-debug2.txt"), { limit: 3 });
    await expect(renderMarkdown(r)).toMatchFileSnapshot("__golden__/debug2-server.md");
  });
  it.skipIf(!hasSharedCorpus)(
    "race (shared corpus: public/panicparse-race-detector-report.txt)",
    async () => {
      const r = reportOf(corpus("public/panicparse-race-detector-report.txt"));
      await expect(renderText(r)).toMatchFileSnapshot("__golden__/race.txt");
    },
  );
});
