// @gosleuth/spawn-graph's tree and @gosleuth/leaks' findings in the shapes the worker keeps and the page draws.
import type { Finding, Incident, Location } from "@gosleuth/leaks";
import type { Goroutine } from "@gosleuth/model";
import { type AggNode, buildAggregateTree, nodeGroupKey } from "@gosleuth/spawn-graph";
import type { FindingInput, TreeResult } from "./dataset.ts";
import type { FindingView, GroupView, IncidentView, TreeNodeView } from "./protocol.ts";

const at = (l: Location | null): string => (l ? `${l.function} ${l.file}:${l.line}` : "");

/** One node of the package's tree as the page draws it. */
export function nodeView(n: AggNode): TreeNodeView {
  const ghost = n.ghost === true;
  return {
    id: n.id,
    parent: n.parent,
    // A ghost's count is its number of exited parents, not goroutines: counts here are goroutines.
    count: ghost ? 0 : n.count,
    ...(ghost && n.count > 0 ? { exitedParents: n.count } : {}),
    function: n.function,
    creator: at(n.creator),
    state: n.state,
    stateClass: n.stateClass,
    states: n.states as Readonly<Record<string, number>>,
    waitMin: n.waitMinutes.min,
    waitMax: n.waitMinutes.max,
    sampleIds: n.sampleIds,
    depth: n.depth,
    ghost,
    orphan: n.orphan === true,
  };
}

/** The package's aggregated tree, which node holds each goroutine, and each node's group key. */
export function spawnTree(goroutines: readonly Goroutine[]): TreeResult {
  const tree = buildAggregateTree(goroutines);
  return { nodes: tree.nodes.map(nodeView), nodeOf: tree.nodeOf, keys: tree.nodes.map(nodeGroupKey) };
}

/** `blocked-chan-receive: 300 × main.worker at main.go:40`. */
function titleOf(f: Finding): string {
  const where = f.blockingFrame ? ` at ${at(f.blockingFrame)}` : "";
  return `${f.category}: ${f.count.toLocaleString("en-US")} × ${f.startFunction || "goroutines"}${where}`;
}

/**
 * The findings the graph marks: suspects only (the analysis scores every group; known-benign
 * shapes and informational scores would put a border on every node), and every group of an incident
 * of several groups, at the incident's severity and with its title and evidence first, so that the
 * nodes of one cause are marked together (a stuck call's transport loops with its caller).
 */
export function suspects(findings: readonly Finding[], incidents: readonly Incident[] = []): FindingInput[] {
  const incidentOf = new Map<number, Incident>();
  for (const x of incidents) if (x.findings.length > 1) for (const i of x.findings) incidentOf.set(i, x);
  const out: FindingInput[] = [];
  findings.forEach((f, i) => {
    const x = incidentOf.get(i);
    if (!x && (f.benign || f.severity === "info")) return;
    out.push({
      key: f.key,
      severity: x ? x.severity : f.severity,
      title: titleOf(f),
      reasons: x
        ? [
            `incident ${x.id} (${x.kind}, ${x.findings.length} groups): ${x.title}`,
            ...x.reasons,
            ...f.reasons,
          ]
        : f.reasons,
      count: f.count,
      sampleIds: f.sampleIds,
    });
  });
  return out;
}

/** An incident of several groups as the worker keeps it: its findings named by their group keys. */
export interface IncidentInput {
  readonly incident: Incident;
  readonly keys: readonly string[];
  readonly titles: readonly string[];
}

/** The incidents the list shows above the groups: those of several groups (a singleton is its group's row). */
export function incidentInputs(
  findings: readonly Finding[],
  incidents: readonly Incident[],
): IncidentInput[] {
  return incidents
    .filter((x) => x.findings.length > 1)
    .map((x) => {
      const fs = x.findings.map((i) => findings[i]).filter((f): f is Finding => f !== undefined);
      return { incident: x, keys: fs.map((f) => f.key), titles: fs.map(titleOf) };
    });
}

/** Incidents with the tree nodes and list groups of their findings (a finding's nodes carry its group key). */
export function incidentViews(
  inputs: readonly IncidentInput[],
  findings: readonly FindingView[],
  groups: readonly GroupView[],
): IncidentView[] {
  const nodesOfKey = new Map<string, readonly string[]>();
  for (const f of findings) nodesOfKey.set(f.id, f.nodeIds);
  return inputs.map(({ incident: x, keys, titles }) => {
    const nodeIds = [...new Set(keys.flatMap((k) => nodesOfKey.get(k) ?? []))];
    const inIncident = new Set(nodeIds);
    return {
      id: x.id,
      severity: x.severity,
      kind: x.kind,
      title: x.title,
      count: x.count,
      rootCause: at(x.rootCause),
      reasons: x.reasons,
      members: titles,
      nodeIds,
      groups: groups.filter((g) => g.nodeId !== null && inIncident.has(g.nodeId)).map((g) => g.index),
    };
  });
}
