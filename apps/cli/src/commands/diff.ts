// `gosleuth diff`: groups new, gone, grown and shrunk between two snapshots.
import { diff, renderDiffMarkdown, renderDiffText } from "@gosleuth/leaks";
import { type FetchOptions, loadDump } from "../input.ts";

export async function diffCommand(
  before: string,
  after: string,
  o: { format: "text" | "md" | "json" },
  f: FetchOptions,
): Promise<void> {
  const a = await loadDump(before, f);
  const b = await loadDump(after, f);
  const d = diff(a, b);
  if (o.format === "json") process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
  else if (o.format === "md") process.stdout.write(renderDiffMarkdown(d));
  else process.stdout.write(renderDiffText(d));
}
