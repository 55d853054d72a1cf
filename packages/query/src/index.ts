// @gosleuth/query: the filter language (`state:chan wait:>10 created:serveConn` plus free text) that the
// viewer's search box and the CLI's `--filter` both read.
export { setTerm, termValues } from "./edit.ts";
export {
  type CompiledFilter,
  compileFilter,
  type GoroutineSubject,
  type NodeSubject,
  testNumber,
} from "./match.ts";
export {
  type FilterError,
  type FilterKey,
  type FilterTerm,
  type NumericOp,
  type NumericTest,
  type ParsedFilter,
  parseFilter,
  SEVERITIES,
  type Severity,
} from "./parse.ts";
