// @gosleuth/stacks: a dump read as a Go developer reads it: goroutines grouped by stack, the crash first,
// races shown; text, Markdown, HTML and JSON reports.
export { isPointerLike, SIMILARITIES, type Similarity } from "./args.ts";
export { type CodeKind, codeKind } from "./classify.ts";
export { type Crash, type CrashJson, crashJson, crashOf } from "./crash.ts";
export {
  type GroupData,
  type GrouperOptions,
  StackGrouper,
  type StacksPartial,
  type StacksResult,
  type WireGroup,
} from "./grouper.ts";
export { type GroupJson, groupJson, type StacksJson, toJson } from "./json.ts";
export { foldRaces, type RaceFrameJson, type RaceJson } from "./races.ts";
export { renderHtml } from "./render-html.ts";
export { renderMarkdown } from "./render-md.ts";
export { type BriefOptions, renderBrief, renderText, type TextOptions } from "./render-text.ts";
export {
  buildReport,
  checkFilter,
  type ReportGroup,
  type ReportOptions,
  SORT_KEYS,
  type SortKey,
  StacksOptionError,
  type StacksReport,
} from "./report.ts";
