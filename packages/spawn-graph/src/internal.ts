// @gosleuth/spawn-graph/internal: the column-store building blocks that leaks, the CLI and the viewer
// share with the tree builder. Not a stable API: they change with the tree builder's needs.
export { FAST_GROWTH, Growable, IdColumn } from "./growable.ts";
export {
  type CreatorSite,
  flatCopy,
  type InternedSignatures,
  NameTable,
  SignatureInterner,
  SiteInterner,
} from "./intern.ts";
export { groupKey } from "./signature.ts";
export { StackMemo } from "./stack-memo.ts";
