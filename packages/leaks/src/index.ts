// @gosleuth/leaks: leak suspects from goroutine dumps, with reasons, growth across snapshots, and reports.
export {
  analyzeLeaks,
  blockingFrame,
  type Category,
  type Finding,
  type GrouperPartial,
  type Growth,
  LeakAnalyzer,
  type LeakReport,
  type Location,
  type SnapshotTimes,
} from "./analyze.ts";
export {
  countAtOrAbove,
  failOn,
  renderDiffMarkdown,
  renderDiffText,
  renderMarkdown,
  renderText,
  type TextOptions,
  toJson,
} from "./report.ts";
export { repositoryPath, type SarifOptions, toSarif } from "./sarif.ts";
export {
  DEFAULT_SETTINGS,
  type LeakSettings,
  type PartialLeakSettings,
  resolveSettings,
  SEVERITIES,
  SettingsError,
  type Severity,
  validateSettings,
} from "./settings.ts";
export {
  analyzeSnapshots,
  type DiffEntry,
  type DumpDiff,
  diff,
  type Snapshot,
  verdictOf,
} from "./snapshots.ts";
