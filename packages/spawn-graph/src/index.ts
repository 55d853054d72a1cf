// @gosleuth/spawn-graph: who spawned whom, per goroutine (graphology) and aggregated by signature.
// The column-store building blocks other packages share (typed-array columns, interners) are in
// `@gosleuth/spawn-graph/internal`.
export {
  type AggNode,
  type AggregatePartial,
  type AggregateTree,
  AggregateTreeBuilder,
  buildAggregateTree,
  nodeGroupKey,
} from "./aggregate.ts";
export { buildSpawnGraph, goroutineKey, type SpawnGraph, type SpawnNode } from "./graph.ts";
export { IdIndex } from "./id-index.ts";
export type { CreatorSite } from "./intern.ts";
export { ancestors, descendants, orphans, roots } from "./queries.ts";
export {
  OUTLINE_DEPTH,
  outlineCutNote,
  type RenderOptions,
  renderTreeDot,
  renderTreeText,
  treeToJson,
} from "./render.ts";
export { creatorSite, goroutineSignature, groupKey, startFunction } from "./signature.ts";
export {
  SPAWN_VIEW_NOTE,
  type SpawnColumns,
  type SpawningSite,
  type SpawnView,
  spawnView,
  spawnViewOf,
} from "./spawn-view.ts";
