// Stand-in aggregated spawn tree used only until @gosleuth/spawn-graph exports its builder; same rules as issue 4.
//
// Top-down: roots (no `created by`) grouped by signature; the children of every goroutine in a
// node are pooled and grouped again by creator site + signature (which includes the state class).
// Children whose parent exited hang under a ghost per creating function (and are orphans);
// pre-1.21 dumps (no parent id) hang under one ghost per creator site.
import type { Goroutine } from "@gosleuth/model";
import { creatorSite, goroutineSignature, startFunction } from "@gosleuth/spawn-graph";
import type { TreeResult } from "./dataset.ts";
import type { TreeNodeView } from "./protocol.ts";

interface Pending {
  readonly id: string;
  readonly members: number[];
}

export function interimTree(goroutines: readonly Goroutine[]): TreeResult {
  const byId = new Map<number, number>();
  goroutines.forEach((g, i) => {
    if (!byId.has(g.id)) byId.set(g.id, i);
  });
  const children = new Map<number, number[]>();
  const roots: number[] = [];
  const ghostKids = new Map<string, { fn: string; site: string; orphan: boolean; members: number[] }>();
  goroutines.forEach((g, i) => {
    const c = g.createdBy;
    if (!c) {
      roots.push(i);
      return;
    }
    if (c.parentId !== undefined && byId.has(c.parentId) && c.parentId !== g.id) {
      let l = children.get(c.parentId);
      if (!l) children.set(c.parentId, (l = []));
      l.push(i);
      return;
    }
    const orphan = c.parentId !== undefined;
    const key = orphan ? `ghost:${c.fn.full}` : `site:${creatorSite(c)}`;
    let gk = ghostKids.get(key);
    if (!gk) ghostKids.set(key, (gk = { fn: c.fn.full, site: creatorSite(c), orphan, members: [] }));
    gk.members.push(i);
  });

  const nodes: TreeNodeView[] = [];
  const nodeOf = new Int32Array(goroutines.length).fill(-1);
  // Keys are long (a whole stack); keep one string per distinct key and a small number per goroutine.
  // Goroutines of one group share their frames array (see Dataset.add), so signatures are cached by it.
  const sigOfFrames = new Map<unknown, string>();
  const keyIds = new Map<string, number>();
  const keyOf = new Int32Array(goroutines.length).fill(-1);
  const key = (i: number): number => {
    let k = keyOf[i]!;
    if (k < 0) {
      const g = goroutines[i]!;
      let sig = sigOfFrames.get(g.frames);
      if (sig === undefined || !sig.startsWith(`${g.stateClass}\n`) || g.elided.length > 0) {
        sig = goroutineSignature(g);
        sigOfFrames.set(g.frames, sig);
      }
      const full = `${creatorSite(g.createdBy)}\n${sig}`;
      k = keyIds.get(full) ?? keyIds.size;
      if (k === keyIds.size) keyIds.set(full, k);
      keyOf[i] = k;
    }
    return k;
  };

  const queue: Pending[] = [];
  const group = (members: number[], parent: string | null, depth: number, orphan: boolean) => {
    const byKey = new Map<number, number[]>();
    for (const i of members) {
      const k = key(i);
      let l = byKey.get(k);
      if (!l) byKey.set(k, (l = []));
      l.push(i);
    }
    const entries = [...byKey.values()].sort((a, b) => b.length - a.length || a[0]! - b[0]!);
    for (const l of entries) {
      const id = `n${nodes.length}`;
      const g0 = goroutines[l[0]!]!;
      const states: Record<string, number> = {};
      let wmin = Number.POSITIVE_INFINITY;
      let wmax = 0;
      for (const i of l) {
        const g = goroutines[i]!;
        states[g.state] = (states[g.state] ?? 0) + 1;
        wmin = Math.min(wmin, g.waitMinutes);
        wmax = Math.max(wmax, g.waitMinutes);
        nodeOf[i] = nodes.length;
      }
      const state = Object.entries(states).sort((a, b) => b[1] - a[1])[0]![0];
      nodes.push({
        id,
        parent,
        count: l.length,
        function: startFunction(g0),
        creator: creatorSite(g0.createdBy),
        state,
        stateClass: g0.stateClass,
        states,
        waitMin: wmin,
        waitMax: wmax,
        sampleIds: l.slice(0, 5).map((i) => goroutines[i]!.id),
        depth,
        ghost: false,
        orphan,
      });
      queue.push({ id, members: l });
    }
  };

  group(roots, null, 0, false);
  for (const [, gk] of [...ghostKids].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const id = `n${nodes.length}`;
    nodes.push({
      id,
      parent: null,
      count: 0,
      function: gk.fn,
      creator: gk.site,
      state: "",
      stateClass: "unknown",
      states: {},
      waitMin: 0,
      waitMax: 0,
      sampleIds: [],
      depth: 0,
      ghost: true,
      orphan: false,
    });
    group(gk.members, id, 1, gk.orphan);
  }
  const depthOf = new Map(nodes.map((n) => [n.id, n.depth]));
  for (let q = 0; q < queue.length; q++) {
    const p = queue[q]!;
    const pooled: number[] = [];
    for (const i of p.members) {
      const kids = children.get(goroutines[i]!.id);
      if (kids) for (const k of kids) pooled.push(k);
    }
    if (pooled.length > 0) {
      const before = nodes.length;
      group(pooled, p.id, (depthOf.get(p.id) ?? 0) + 1, false);
      for (let j = before; j < nodes.length; j++) depthOf.set(nodes[j]!.id, nodes[j]!.depth);
    }
  }
  return { nodes, nodeOf };
}
