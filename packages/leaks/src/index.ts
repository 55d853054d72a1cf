// @gosleuth/leaks: leak suspects from goroutine dumps, with reasons, growth across snapshots, and reports.
export { analyzeLeaks, LeakAnalyzer, runtimeVerdict } from "./analyze.ts";
export { blockingFrame } from "./blocking-frame.ts";
export type { Category, Finding, Growth, LeakReport, Location, SnapshotTimes } from "./finding.ts";
export type { GrouperPartial } from "./grouper.ts";
export { buildIncidents, type Incident, type IncidentKind } from "./incident.ts";
export {
  describeInversion,
  findInversions,
  findInversionsIn,
  type Inversion,
  type LockWait,
  type LockWaitTable,
} from "./lock-order.ts";
export { PAIRINGS, type Pairing } from "./pairings.ts";
export { analyzeProfiles, type ProfileSnapshot, profileLimits } from "./profile.ts";
export {
  countAtOrAbove,
  failingIncidents,
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
  growthOf,
  type Snapshot,
  verdictOf,
} from "./snapshots.ts";
export { SnapshotWindow, type WindowScan } from "./window.ts";
