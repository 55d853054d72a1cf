// @gosleuth/query: the filter language (`state:chan wait:>10 created:serveConn` plus free text) that the
// viewer's search box and the CLI's `--filter` both read.
export {
  type CompiledFilter,
  compileFilter,
  type FilterError,
  type FilterKey,
  type FilterTerm,
  type GoroutineSubject,
  type NodeSubject,
  type NumericOp,
  type NumericTest,
  type ParsedFilter,
  parseFilter,
  SEVERITIES,
  type Severity,
  setTerm,
  termValues,
  testNumber,
} from "./filter.ts";
