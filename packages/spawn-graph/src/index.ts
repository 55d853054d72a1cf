// @gosleuth/spawn-graph: who spawned whom, per goroutine and aggregated by signature.
export { creatorSite, goroutineSignature, startFunction } from "./signature.ts";
