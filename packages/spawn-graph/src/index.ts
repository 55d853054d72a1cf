// @gosleuth/spawn-graph: who spawned whom, per goroutine (graphology) and aggregated by signature.
export {
  type AggNode,
  type AggregatePartial,
  type AggregateTree,
  AggregateTreeBuilder,
  buildAggregateTree,
  nodeGroupKey,
} from "./aggregate.ts";
export {
  buildSpawnGraph,
  goroutineKey,
  type SpawnGraph,
  SpawnGraphBuilder,
  type SpawnNode,
} from "./graph.ts";
export { Growable } from "./growable.ts";
export {
  type CreatorSite,
  type InternedSignatures,
  NameTable,
  orderById,
  SignatureInterner,
  SiteInterner,
  sortById,
} from "./intern.ts";
export {
  ancestors,
  type Churn,
  churn,
  descendants,
  orphans,
  roots,
  type SubtreeStats,
  subtreeStats,
  topSpawningSites,
} from "./queries.ts";
export {
  aggregateToGraph,
  nodeLabel,
  type RenderOptions,
  renderTreeDot,
  renderTreeText,
  treeToJson,
} from "./render.ts";
export { creatorSite, goroutineSignature, groupKey, startFunction } from "./signature.ts";
