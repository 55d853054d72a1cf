// Messages between the page and the parsing worker: compact results out, on-demand queries in.
import type { Severity } from "@gosleuth/leaks";
import type { CrashView, RaceView } from "./incident.ts";

export type LoadSource =
  | { readonly kind: "file"; readonly file: File }
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "text"; readonly text: string; readonly name: string };

/** A node of the aggregated spawn tree, as drawn (see @gosleuth/spawn-graph's aggregate tree). */
export interface TreeNodeView {
  readonly id: string;
  readonly parent: string | null;
  readonly count: number;
  /** The function the goroutines were started with. */
  readonly function: string;
  /** `created by` function and site, "" for roots. */
  readonly creator: string;
  readonly state: string;
  readonly stateClass: string;
  /** Goroutines per raw state. */
  readonly states: Readonly<Record<string, number>>;
  readonly waitMin: number;
  readonly waitMax: number;
  readonly sampleIds: readonly number[];
  readonly depth: number;
  readonly ghost: boolean;
  readonly orphan: boolean;
  readonly severity?: Severity | undefined;
  /** For a ghost: how many distinct exited parents it stands for, when known. */
  readonly exitedParents?: number;
}

/** Goroutines with the same stack signature and state class. */
export interface GroupView {
  readonly index: number;
  readonly count: number;
  readonly stateClass: string;
  readonly states: Readonly<Record<string, number>>;
  readonly waitMin: number;
  readonly waitMax: number;
  /** Indices into the frame table, innermost first; -1 marks an elision. */
  readonly frames: readonly number[];
  readonly creator: string;
  readonly sampleId: number;
  /** Aggregated tree node of the sample goroutine, to jump from the list to the graph. */
  readonly nodeId: string | null;
  readonly severity?: Severity | undefined;
}

export interface FindingView {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly reasons: readonly string[];
  readonly count: number;
  readonly sampleIds: readonly number[];
  readonly nodeIds: readonly string[];
}

/** An incident of several groups (@gosleuth/leaks): one cause, listed above the groups and outlined together. */
export interface IncidentView {
  readonly id: string;
  readonly severity: Severity;
  readonly kind: string;
  readonly title: string;
  /** Goroutines in all its groups. */
  readonly count: number;
  /** `function file:line`, "" when unknown. */
  readonly rootCause: string;
  readonly reasons: readonly string[];
  /** Its findings' titles, strongest first. */
  readonly members: readonly string[];
  /** Aggregated tree nodes holding its goroutines. */
  readonly nodeIds: readonly string[];
  /** List groups whose sample goroutine is in one of those nodes. */
  readonly groups: readonly number[];
}

export interface DumpHeader {
  readonly name: string;
  readonly format: string;
  /** Goroutines in the dump (for debug=1 the profile total). */
  readonly total: number;
  readonly bytes: number;
  readonly diagnostics: readonly {
    readonly severity: string;
    readonly line: number;
    readonly message: string;
  }[];
  readonly preamble: readonly string[];
  readonly parseMs: number;
  /** False when only part of the goroutines was printed (a GOTRACEBACK=single crash): absent parents may be alive. */
  readonly complete: boolean;
  readonly crash: CrashView | null;
  readonly races: readonly RaceView[];
}

export interface Loaded {
  readonly type: "loaded";
  readonly header: DumpHeader;
  readonly nodes: readonly TreeNodeView[];
  readonly groups: readonly GroupView[];
  /** `function\tfile:line` strings shared by the groups' frames. */
  readonly frameTable: readonly string[];
  readonly findings: readonly FindingView[];
  readonly incidents: readonly IncidentView[];
}

export interface FrameView {
  readonly fn: string;
  readonly args: string;
  readonly file: string;
  readonly line: number;
  readonly inlined: boolean;
}

export interface GoroutineDetail {
  readonly id: number;
  readonly state: string;
  readonly stateClass: string;
  readonly waitMinutes: number;
  readonly flags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly frames: readonly FrameView[];
  /** Frame indices before which `...N frames elided...` was printed, with N (null: unknown). */
  readonly elided: readonly { readonly index: number; readonly count: number | null }[];
  readonly createdBy: {
    readonly fn: string;
    readonly file: string;
    readonly line: number;
    readonly parentId?: number;
  } | null;
  /** Aggregated node holding this goroutine, and the one holding its parent. */
  readonly nodeId: string | null;
  readonly parentNodeId: string | null;
  readonly childCount: number;
  /** The goroutine as the runtime printed it, for the copy button. */
  readonly text: string;
}

export interface MemberView {
  readonly id: number;
  readonly state: string;
  readonly stateClass: string;
  readonly waitMinutes: number;
}

export type Query =
  | { readonly kind: "goroutine"; readonly id: number }
  | { readonly kind: "members"; readonly nodeId: string; readonly limit: number }
  | { readonly kind: "search"; readonly text: string; readonly limit: number }
  | { readonly kind: "filter"; readonly query: string }
  | { readonly kind: "path"; readonly id: number }
  | { readonly kind: "children"; readonly id: number; readonly limit: number };

export interface SearchHit {
  readonly nodeId: string;
  readonly matched: number;
  /** Set when the search named one goroutine (by id). */
  readonly goroutineId?: number;
}

export interface FilterResult {
  /** Matched goroutines per tree node id; nodes absent from the map matched nothing. */
  readonly nodes: Readonly<Record<string, number>>;
  /** Matched goroutines per group index. */
  readonly groups: readonly number[];
  readonly matched: number;
}

export interface QueryResults {
  goroutine: GoroutineDetail | null;
  members: { readonly members: readonly MemberView[]; readonly total: number };
  search: readonly SearchHit[];
  filter: FilterResult;
  path: readonly { readonly id: number; readonly nodeId: string | null; readonly function: string }[];
  children: { readonly children: readonly MemberView[]; readonly total: number };
}

export type ToWorker =
  | { readonly type: "load"; readonly source: LoadSource }
  | { readonly type: "cancel" }
  | { readonly type: "query"; readonly qid: number; readonly query: Query };

export type FromWorker =
  | {
      readonly type: "progress";
      readonly bytes: number;
      readonly totalBytes: number | null;
      readonly goroutines: number;
    }
  | Loaded
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "cancelled" }
  | { readonly type: "result"; readonly qid: number; readonly result: unknown; readonly error?: string };
