// The aggregated spawn tree: siblings with the same creator site and signature collapse into one node, top-down.
//
// Built from compact per-goroutine records (numbers in growable typed arrays), never from a
// per-goroutine graph, so a million goroutines cost tens of megabytes. Rules:
// - roots (no `created by`) are grouped by signature;
// - the children of every goroutine in a node are pooled and grouped again by (creator site, signature);
// - children whose parent id is printed but absent (the parent exited) hang under a ghost node per
//   creator site, marked `ghost`, and their groups are marked `orphan`;
// - children without a parent id (Go before 1.21) are attached to the first node whose goroutines
//   run the creating function (the creator-site fallback); if no node runs it they hang under a ghost
//   node for their site.
import type { Goroutine, StateClass } from "@gosleuth/model";
import { FAST_GROWTH, Growable, IdColumn } from "./growable.ts";
import { IdIndex } from "./id-index.ts";
import {
  type CreatorSite,
  type InternedSignatures,
  NameTable,
  SignatureInterner,
  SiteInterner,
} from "./intern.ts";
import { groupKey, startFunction } from "./signature.ts";
import { StackMemo } from "./stack-memo.ts";

export interface AggNode {
  id: string;
  parent: string | null;
  /** Goroutines in this node (for ghosts: the number of distinct exited parents). */
  count: number;
  /** The function the goroutines were started with (bottom frame). */
  function: string;
  creator: { function: string; file: string; line: number } | null;
  /** Most common raw state. */
  state: string;
  stateClass: StateClass;
  states: Partial<Record<StateClass, number>>;
  waitMinutes: { min: number; max: number };
  sampleIds: number[];
  depth: number;
  ghost?: boolean;
  orphan?: boolean;
  /** Attached by the creator-site fallback (pre-1.21 dumps), not by a printed parent id. */
  viaSite?: boolean;
  signature: string;
  childCount: number;
}

export interface AggregateTree {
  nodes: AggNode[];
  roots: string[];
  /** Goroutines (ghost nodes excluded). */
  total: number;
  /**
   * The node each goroutine belongs to: index into `nodes`, per goroutine in the order they were
   * added; never a ghost. -1 only for a goroutine no root leads to (a cycle of parent ids, which
   * no runtime prints).
   */
  nodeOf: Int32Array;
}

/** The group key (`groupKey`) of a node: @gosleuth/leaks' findings carry the same key for the goroutines they cover. */
export function nodeGroupKey(node: AggNode): string | null {
  return node.ghost ? null : groupKey(node.signature, node.creator);
}

/** An AggregateTreeBuilder's content as plain data (see AggregateTreeBuilder.partial). */
export interface AggregatePartial {
  ids: Int32Array | Float64Array;
  parents: Int32Array | Float64Array;
  sigOf: Int32Array;
  siteOf: Int32Array;
  waits: Float32Array;
  stateOf: Int32Array;
  signatures: InternedSignatures;
  sites: (CreatorSite | null)[];
  states: string[];
  startOf: [number, string][];
  creatorFnOfSite: [number, string][];
}

const SAMPLE = 10;

/**
 * A function without its closure and go/defer-wrapper suffixes: before Go 1.21 a `go s.f(x)` runs in
 * a wrapper closure of the creating function (`main.(*Server).Serve.func1`), so `created by` sites are
 * matched to the functions goroutines run modulo these suffixes.
 */
export function baseFunction(fn: string): string {
  return fn.replace(/(\.(func|gowrap|deferwrap)\d+(\.\d+)*)+$/, "");
}

/** Feeds goroutines one by one (e.g. from parseStream) and builds the aggregated tree at the end. */
export class AggregateTreeBuilder {
  private readonly sigs = new SignatureInterner();
  private readonly sites = new SiteInterner();
  private readonly ids = new IdColumn(FAST_GROWTH);
  private readonly parents = new IdColumn(FAST_GROWTH); // parent id, -1 none, -2 created by without parent id
  private readonly sigOf = new Growable(Int32Array, 1024, FAST_GROWTH);
  private readonly siteOf = new Growable(Int32Array, 1024, FAST_GROWTH);
  private readonly waits = new Growable(Float32Array, 1024, FAST_GROWTH);
  private readonly stateOf = new Growable(Int32Array, 1024, FAST_GROWTH);
  private readonly stateNames = new NameTable();
  private readonly startOf = new Map<number, string>(); // signature id → start function
  private readonly creatorFnOfSite = new Map<number, string>();

  // Signature and creator site of a goroutine whose stack is the very one of an earlier goroutine.
  private readonly memo = new StackMemo<{ sig: number; site: number }>();

  add(g: Goroutine): void {
    let known = this.memo.get(g);
    if (known === undefined) {
      const sig = this.sigs.id(g);
      if (!this.startOf.has(sig)) this.startOf.set(sig, startFunction(g));
      const site = this.sites.id(g.createdBy);
      if (site !== 0 && !this.creatorFnOfSite.has(site)) this.creatorFnOfSite.set(site, g.createdBy!.fn.full);
      known = { sig, site };
      this.memo.set(g, known);
    }
    const { sig, site } = known;
    const st = this.stateNames.id(g.state);
    this.ids.push(g.id);
    this.parents.push(g.createdBy ? (g.createdBy.parentId ?? -2) : -1);
    this.sigOf.push(sig);
    this.siteOf.push(site);
    this.waits.push(g.waitMinutes);
    this.stateOf.push(st);
  }

  get count(): number {
    return this.ids.length;
  }

  /**
   * This builder's records and dictionaries as plain data, for a builder on another thread to merge:
   * building from parts in input order gives the same tree as one builder. The records are views of this
   * builder's buffers (no copy); once they are transferred to another thread, use the builder no more.
   */
  partial(): AggregatePartial {
    const n = this.ids.length;
    return {
      ids: this.ids.view(),
      parents: this.parents.view(),
      sigOf: this.sigOf.data.subarray(0, n),
      siteOf: this.siteOf.data.subarray(0, n),
      waits: this.waits.data.subarray(0, n),
      stateOf: this.stateOf.data.subarray(0, n),
      signatures: this.sigs.export(),
      sites: this.sites.sites,
      states: this.stateNames.names,
      startOf: [...this.startOf],
      creatorFnOfSite: [...this.creatorFnOfSite],
    };
  }

  /** Makes room for this many goroutines in all (untouched room costs no memory until used). */
  reserve(n: number): void {
    for (const c of [this.ids, this.parents, this.sigOf, this.siteOf, this.waits, this.stateOf]) c.reserve(n);
  }

  /** Adds the goroutines of a partial (partials must come in input order, after any added here). */
  merge(p: AggregatePartial): void {
    const sig = this.sigs.import(p.signatures);
    const site = p.sites.map((s) => this.sites.intern(s));
    const st = p.states.map((name) => this.stateNames.id(name));
    for (const [k, fn] of p.startOf) if (!this.startOf.has(sig[k]!)) this.startOf.set(sig[k]!, fn);
    for (const [k, fn] of p.creatorFnOfSite)
      if (!this.creatorFnOfSite.has(site[k]!)) this.creatorFnOfSite.set(site[k]!, fn);
    this.ids.append(p.ids);
    this.parents.append(p.parents);
    this.sigOf.appendMapped(p.sigOf, sig);
    this.siteOf.appendMapped(p.siteOf, site);
    this.waits.append(p.waits);
    this.stateOf.appendMapped(p.stateOf, st);
  }

  finish(): AggregateTree {
    const n = this.ids.length;
    const ids = this.ids.data;
    // Parent lookup by binary search in the sorted ids: far smaller than a Map of every goroutine.
    const index = IdIndex.of(this.ids.view());
    // Children lists in CSR form: parentIdx → [children].
    const parentIdx = new Int32Array(n).fill(-1);
    const roots: number[] = [];
    const ghostKids = new Map<number, number[]>(); // site → orphans whose printed parent is absent
    const ghostParents = new Map<number, Set<number>>();
    const siteKids = new Map<string, number[]>(); // creator function → children without parent id
    const siteKidsSite = new Map<string, number>();
    const childCount = new Int32Array(n);
    const parents = this.parents.data;
    const siteOf = this.siteOf.data;
    // Indexed loops over the columns throughout: each runs once, much of it before it is optimized, and a
    // typed array's iterator or a subarray per goroutine costs far more there than an index.
    for (let i = 0; i < n; i++) {
      const p = parents[i]!;
      if (p === -1) roots.push(i);
      else if (p === -2) {
        const site = siteOf[i]!;
        const fn = baseFunction(this.creatorFnOfSite.get(site) ?? "");
        let l = siteKids.get(fn);
        if (!l) siteKids.set(fn, (l = []));
        l.push(i);
        siteKidsSite.set(fn, site);
      } else {
        const pi = index.first(p);
        if (pi === -1) {
          // One ghost per creating function: the children of one exited parent may come from several `go` lines.
          const site = this.ghostSiteOf(siteOf[i]!);
          let l = ghostKids.get(site);
          if (!l) ghostKids.set(site, (l = []));
          l.push(i);
          let s = ghostParents.get(site);
          if (!s) ghostParents.set(site, (s = new Set()));
          s.add(p);
        } else {
          parentIdx[i] = pi;
          childCount[pi]!++;
        }
      }
    }
    const start = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) start[i + 1] = start[i]! + childCount[i]!;
    const fill = childCount; // no longer needed: reused (fresh memory is slow to touch)
    fill.set(start.subarray(0, n));
    const kids = new Int32Array(start[n]!);
    for (let i = 0; i < n; i++) {
      const p = parentIdx[i]!;
      if (p >= 0) kids[fill[p]!++] = i;
    }

    const nodes: AggNode[] = [];
    const nodeOf = new Int32Array(n).fill(-1);
    const out: AggregateTree = { nodes, roots: [], total: n, nodeOf };
    const claimed = new Set<string>();
    // Queue of (members, parent node, depth, flags).
    type Work = {
      members: Int32Array;
      parent: AggNode | null;
      depth: number;
      orphan: boolean;
      viaSite: boolean;
    };
    const queue: Work[] = [];
    const sigOf = this.sigOf.data;
    // Members are record indexes in typed arrays, split by key in two counting passes (no array
    // growth per goroutine: this loop sees every goroutine once).
    const group = (
      members: ArrayLike<number>,
      parent: AggNode | null,
      depth: number,
      orphan: boolean,
      viaSite: boolean,
    ) => {
      const slots = new Map<number, number>();
      const counts: number[] = [];
      const slotOf = new Int32Array(members.length);
      // Siblings of one kind often come in a row: the last key's slot is kept.
      let lastKey = -1;
      let lastSlot = 0;
      for (let i = 0; i < members.length; i++) {
        const m = members[i]!;
        const key = siteOf[m]! * 16_777_216 + sigOf[m]!;
        let slot = lastSlot;
        if (key !== lastKey) {
          const known = slots.get(key);
          if (known === undefined) {
            slot = counts.length;
            slots.set(key, slot);
            counts.push(0);
          } else slot = known;
          lastKey = key;
          lastSlot = slot;
        }
        counts[slot]!++;
        slotOf[i] = slot;
      }
      const lists = counts.map((c) => new Int32Array(c));
      const fill = new Int32Array(counts.length);
      for (let i = 0; i < members.length; i++) {
        const slot = slotOf[i]!;
        lists[slot]![fill[slot]!++] = members[i]!;
      }
      // Biggest groups first, then by first goroutine id, so the order is stable.
      lists.sort((a, b) => b.length - a.length || ids[a[0]!]! - ids[b[0]!]!);
      for (const g of lists) queue.push({ members: g, parent, depth, orphan, viaSite });
    };
    group(roots, null, 0, false, false);
    for (const [site, orphans] of ghostKids) {
      const s = this.sites.sites[site]!;
      const ghost: AggNode = {
        id: `g${nodes.length}`,
        parent: null,
        count: ghostParents.get(site)?.size ?? 0,
        function: s?.function ?? "",
        creator: null,
        state: "exited",
        stateClass: "dead",
        states: {},
        waitMinutes: { min: 0, max: 0 },
        sampleIds: [...(ghostParents.get(site) ?? [])].slice(0, SAMPLE),
        depth: 0,
        ghost: true,
        signature: "",
        childCount: 0,
      };
      nodes.push(ghost);
      out.roots.push(ghost.id);
      group(orphans, ghost, 1, true, false);
    }
    let q = 0;
    const drain = () => {
      for (; q < queue.length; q++) {
        const w = queue[q]!;
        queue[q] = undefined as unknown as Work; // release members as we go
        const members = w.members;
        for (let i = 0; i < members.length; i++) nodeOf[members[i]!] = nodes.length;
        const node = this.makeNode(w.members, w.parent, w.depth, nodes.length);
        if (w.orphan) node.orphan = true;
        if (w.viaSite) node.viaSite = true;
        nodes.push(node);
        if (w.parent) w.parent.childCount++;
        else out.roots.push(node.id);
        let pooledCount = 0;
        for (let i = 0; i < members.length; i++) {
          const m = members[i]!;
          pooledCount += start[m + 1]! - start[m]!;
        }
        if (pooledCount > 0) {
          const pooled = new Int32Array(pooledCount);
          let o = 0;
          for (let i = 0; i < members.length; i++) {
            const m = members[i]!;
            for (let k = start[m]!; k < start[m + 1]!; k++) pooled[o++] = kids[k]!;
          }
          group(pooled, node, w.depth + 1, false, false);
        }
        // Creator-site fallback: children without parent ids go under the first node running their creator.
        for (const f of new Set([baseFunction(node.function), ...this.stackFunctions(node)])) {
          const fallback = siteKids.get(f);
          if (fallback && !claimed.has(f)) {
            claimed.add(f);
            group(fallback, node, w.depth + 1, false, true);
          }
        }
      }
    };
    drain();
    // Site children whose creator runs nowhere in the dump: under a ghost node per creating function.
    for (const [fn, members] of siteKids) {
      if (claimed.has(fn)) continue;
      claimed.add(fn);
      const site = this.sites.sites[siteKidsSite.get(fn)!] ?? null;
      const ghost: AggNode = {
        id: `g${nodes.length}`,
        parent: null,
        count: 0,
        function: fn,
        creator: null,
        state: "not in dump",
        stateClass: "dead",
        states: {},
        waitMinutes: { min: 0, max: 0 },
        sampleIds: [],
        depth: 0,
        ghost: true,
        signature: site ? `${site.function} ${site.file}:${site.line}` : "",
        childCount: 0,
      };
      nodes.push(ghost);
      out.roots.push(ghost.id);
      group(members, ghost, 1, true, true);
      drain();
    }
    return out;
  }

  private readonly ghostSites = new Map<string, number>();
  private ghostSiteOf(site: number): number {
    const fn = this.creatorFnOfSite.get(site) ?? "";
    let s = this.ghostSites.get(fn);
    if (s === undefined) this.ghostSites.set(fn, (s = site));
    return s;
  }

  /** Base names of every function on a node's stack (the creator may be any of them, e.g. serveConn under its wrapper). */
  private stackFunctions(node: AggNode): string[] {
    const out: string[] = [];
    for (const line of node.signature.split("\n").slice(1)) {
      const sp = line.lastIndexOf(" ");
      if (sp > 0) out.push(baseFunction(line.slice(0, sp)));
    }
    return out;
  }

  /** makeNode's counts per raw state (all zero between calls). */
  private rawCounts = new Int32Array(0);

  private makeNode(members: Int32Array, parent: AggNode | null, depth: number, index: number): AggNode {
    const sig = this.sigOf.data[members[0]!]!;
    const site = this.siteOf.data[members[0]!]!;
    const states: Partial<Record<StateClass, number>> = {};
    // Goroutines per raw state (by state number), and the states in order of first appearance: the
    // first of them with the highest count wins. One array for every node, its counts set back to zero
    // after each: one the size of the state table per node cost time and memory for every node of a
    // dump with many distinct state texts (`[chan receive N minutes]` with N in the hundreds or more).
    if (this.rawCounts.length < this.stateNames.names.length)
      this.rawCounts = new Int32Array(this.stateNames.names.length);
    const raw = this.rawCounts;
    const seen: number[] = [];
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    const waits = this.waits.data;
    const stateOf = this.stateOf.data;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const w = waits[m]!;
      if (w < min) min = w;
      if (w > max) max = w;
      const st = stateOf[m]!;
      if (raw[st]!++ === 0) seen.push(st);
    }
    let best = -1;
    let bestCount = -1;
    for (let i = 0; i < seen.length; i++) {
      const c = raw[seen[i]!]!;
      if (c > bestCount) {
        best = seen[i]!;
        bestCount = c;
      }
      raw[seen[i]!] = 0;
    }
    const signature = this.sigs.text(sig);
    const stateClass = signature.slice(
      0,
      signature.indexOf("\n") === -1 ? undefined : signature.indexOf("\n"),
    ) as StateClass;
    states[stateClass] = members.length;
    return {
      id: `n${index}`,
      parent: parent ? parent.id : null,
      count: members.length,
      function: this.startOf.get(sig) ?? "",
      creator: this.sites.sites[site] ?? null,
      state: this.stateNames.names[best] ?? "",
      stateClass,
      states,
      waitMinutes: { min: members.length ? min : 0, max },
      sampleIds: Array.from(members.subarray(0, SAMPLE), (m) => this.ids.data[m]!),
      depth,
      signature,
      childCount: 0,
    };
  }
}

/** The aggregated tree of a set of goroutines. */
export function buildAggregateTree(goroutines: Iterable<Goroutine>): AggregateTree {
  const b = new AggregateTreeBuilder();
  for (const g of goroutines) b.add(g);
  return b.finish();
}
