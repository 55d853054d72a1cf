// A goroutine of more frames than a call takes arguments (hand-joined or generated dumps: Go itself
// elides past 100): its rows were pushed with `push(...rows)`, which threw a RangeError from about
// 100,000 on, an internal error of `gosleuth stacks`.
import { parseDump } from "@gosleuth/parser";
import { describe, expect, it } from "vitest";
import { reportOf } from "./helpers.test-util.ts";
import { renderMarkdown } from "./render-md.ts";
import { renderText } from "./render-text.ts";

const FRAMES = 200_000;

function deepDump(): string {
  const lines = ["goroutine 1 [running]:"];
  for (let i = 0; i < FRAMES; i++)
    lines.push(`main.f${i % 3}(0x${i.toString(16)})`, `\t/src/main.go:${(i % 100) + 1} +0x1d`);
  // A crash with the same stack, so the crashed goroutine's rows are rendered too.
  return `panic: boom\n\n${lines.join("\n")}\n`;
}

describe("a goroutine of 200,000 frames", () => {
  const dump = parseDump(deepDump());
  const report = reportOf("deep.txt", {}, dump);

  it("is rendered as text and Markdown, every frame a line", () => {
    expect(dump.goroutines[0]!.frames).toHaveLength(FRAMES);
    const text = renderText(report, { color: false });
    expect(text.split("\n").filter((l) => l.includes("main.go:")).length).toBeGreaterThanOrEqual(FRAMES);
    const md = renderMarkdown(report);
    expect(md.split("\n").filter((l) => l.includes("main.go:")).length).toBeGreaterThanOrEqual(FRAMES);
  });
});
