// The kind `summary`: its consumer and the buffers of its partials (moved between threads). A module of its own,
// loaded by range-parse.ts's loadKind when a command uses the kind, so no other command compiles it.
import type { RangeOptions } from "../range-parse.ts";
import { SummaryAccumulator, type SummaryPartial } from "../summary-records.ts";

export const KIND = {
  make: (_o: RangeOptions) => new SummaryAccumulator(),
  buffers: (p: SummaryPartial) => [p.ids, p.parents, p.siteOf, p.stacks.table],
};
