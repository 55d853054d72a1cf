// `gosleuth stacks`: goroutines grouped by stack, the crash first, races shown (the work is @gosleuth/stacks').
import {
  buildReport,
  checkFilter,
  groupJson,
  renderHtml,
  renderMarkdown,
  renderText,
  type Similarity,
  type SortKey,
  StacksOptionError,
  toJson,
} from "@gosleuth/stacks";
import { CliError } from "../errors.ts";
import { colorEnabled, MappedList, writeJson } from "../format.ts";
import type { FetchOptions } from "../input.ts";
import { consumeInput } from "../parallel.ts";

const DEFAULT_TEXT_LIMIT = 100;

export interface StacksOptions {
  format?: "text" | "md" | "json" | "html";
  similarity?: Similarity;
  match?: string;
  filter?: string;
  sort?: SortKey;
  limit?: number;
  threads?: string;
}

export async function stacksCommand(input: string, o: StacksOptions, f: FetchOptions): Promise<void> {
  const similarity = o.similarity ?? "pointers";
  try {
    checkFilter(o.filter);
  } catch (e) {
    throw new CliError((e as Error).message.replace(/^@gosleuth\/stacks: /, ""));
  }
  if (o.match) {
    try {
      new RegExp(o.match);
    } catch (e) {
      throw new CliError(`--match: ${(e as Error).message}`);
    }
  }
  // A reader does not page through thousands of groups: text, md and html show the largest 100 unless
  // told otherwise (0: all); json carries every group.
  const limit =
    o.limit === 0 ? undefined : (o.limit ?? (o.format === "json" ? undefined : DEFAULT_TEXT_LIMIT));
  const stacks = o.filter ? { similarity, filter: o.filter } : { similarity };
  const { consumer, info, name } = await consumeInput("stacks", input, {
    threads: o.threads,
    fetch: f,
    options: { stacks },
  });
  let report: ReturnType<typeof buildReport>;
  try {
    report = buildReport(name, consumer.grouper.result({ copy: false }), info, {
      similarity,
      ...(o.match !== undefined ? { match: o.match } : {}),
      ...(o.filter !== undefined ? { filter: o.filter } : {}),
      ...(o.sort !== undefined ? { sort: o.sort } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
  } catch (e) {
    if (e instanceof StacksOptionError) throw new CliError(e.message.replace(/^@gosleuth\/stacks: /, ""));
    throw e;
  }
  // Every group, a group at a time (writeJson), each group's JSON made only as it is written.
  if (o.format === "json") {
    const doc = toJson({ ...report, groups: [] });
    await writeJson({ ...doc, groups: new MappedList(report.groups, groupJson) }, 0);
    return;
  }
  const out =
    o.format === "md"
      ? renderMarkdown(report)
      : o.format === "html"
        ? renderHtml(report)
        : renderText(report, { color: colorEnabled });
  process.stdout.write(out);
}
