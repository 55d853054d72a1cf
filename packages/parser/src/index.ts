// @gosleuth/parser: goroutine dumps in, the gosleuth model out (whole inputs or streams of any size).
export { firstByteBoundary } from "./chunker.ts";
export { formatDump, formatGoroutine } from "./format.ts";
export { type FragmentInfo, mergeFragments } from "./fragments.ts";
export { functionName } from "./function-name.ts";
export { OMITTED_LINE } from "./lossy-lines.ts";
export {
  detectFormat,
  isBlockText,
  type ParseOptions,
  type ParseSource,
  type ParseStream,
  parseDump,
  parseDumpAsync,
  parseFragment,
  parseStream,
  splitDumps,
} from "./parse.ts";
export { classifyState } from "./state.ts";
export { warmUp, warmUpText } from "./warm-up.ts";
