// Channel cycles and WaitGroups that can never reach zero, from who waits on what and who else holds it.
import type { HeldWait, HoldEvidence } from "./holders.ts";

/** A group's share of a cycle or a stuck WaitGroup. */
export interface StuckGroup {
  sig: number;
  site: number;
  /** Where its goroutines block. */
  fn: string;
  file: string;
  line: number;
  count: number;
}

export interface ChannelCycle {
  /** Groups in the cycles, most goroutines first. */
  groups: StuckGroup[];
  /** Cycles found (goroutines that wait on each other's channels, usually one set per request). */
  cycles: number;
  goroutines: number;
  /** One cycle's two channels and the two groups waiting on them: `a` waits on `x`, which only `b` holds besides it, `b` on `y`. */
  example: { a: StuckGroup; b: StuckGroup; x: number; y: number } | undefined;
  /** The channels waited on were printed by the runtime's chansend/chanrecv frames (not inferred from arguments). */
  exact: boolean;
}

export interface StuckWaitGroup {
  groups: StuckGroup[];
  /** Distinct WaitGroups. */
  waitGroups: number;
  goroutines: number;
  example: number;
}

/** A channel held by more goroutines than this ties nobody in a cycle (a shared queue, not a pair's channel). */
const MAX_HOLDERS = 64;

const groupKey = (w: HeldWait) => `${w.sig}:${w.site}`;

function tally(ws: readonly HeldWait[]): StuckGroup[] {
  const by = new Map<string, StuckGroup>();
  for (const w of ws) {
    const k = groupKey(w);
    const g = by.get(k);
    if (g) g.count++;
    else by.set(k, { sig: w.sig, site: w.site, fn: w.fn, file: w.file, line: w.line, count: 1 });
  }
  return [...by.values()].sort((a, b) => b.count - a.count || (a.fn < b.fn ? -1 : 1));
}

/**
 * Goroutines blocked sending to or receiving from channels that no goroutine outside them holds, each waiting
 * on a channel another of them holds, around a cycle through at least two channels and two groups. The channel
 * a goroutine waits on is the one the runtime's chansend/chanrecv frame prints when the dump has it; else any of
 * the pointers its blocking frame was called with (all must be held by such goroutines only). A goroutine could
 * still reach a channel through memory the dump does not show, so this is a suspicion, reported only when every
 * holder the dump shows is itself stuck.
 */
export function findChannelCycles(ev: HoldEvidence): ChannelCycle[] {
  const waits = ev.waits.filter((w) => w.kind === "chan");
  if (waits.length < 2) return [];
  const holding = new Map<number, number[]>();
  const exactly = new Map<number, number[]>();
  waits.forEach((w, i) => {
    for (const v of w.held) push(holding, v, i);
    for (const v of w.exact) push(exactly, v, i);
  });
  const waitSet = (w: HeldWait) => (w.wait !== undefined ? [w.wait] : w.candidates);
  // Held by no goroutine but these waiters (the sketch never counts fewer holders than there are).
  const closed = (x: number) => {
    const n = holding.get(x)?.length ?? 0;
    return n <= MAX_HOLDERS && ev.holders(x) === n;
  };
  const stuck = new Set<number>();
  waits.forEach((w, i) => {
    const s = waitSet(w);
    if (s.length > 0 && s.every((x) => closed(x) && (exactly.get(x) ?? []).some((j) => j !== i)))
      stuck.add(i);
  });
  // A waiter is stuck only while every other holder of what it waits on is stuck too.
  for (let changed = true; changed; ) {
    changed = false;
    for (const i of stuck) {
      if (waitSet(waits[i]!).some((x) => holding.get(x)!.some((j) => j !== i && !stuck.has(j)))) {
        stuck.delete(i);
        changed = true;
      }
    }
  }
  // Edges i → j: i waits on x, which j holds.
  const edges = new Map<number, { to: number; via: number }[]>();
  for (const i of stuck) {
    const out: { to: number; via: number }[] = [];
    for (const x of waitSet(waits[i]!))
      for (const j of exactly.get(x) ?? []) if (j !== i && stuck.has(j)) out.push({ to: j, via: x });
    edges.set(i, out);
  }
  const found = new Map<string, Found>();
  for (const comp of components([...stuck], (i) => (edges.get(i) ?? []).map((e) => e.to))) {
    if (comp.length < 2) continue;
    const inComp = new Set(comp);
    const members = comp.map((i) => waits[i]!);
    const groups = new Set(members.map(groupKey));
    const chans = new Set<number>();
    for (const i of comp) for (const e of edges.get(i)!) if (inComp.has(e.to)) chans.add(e.via);
    if (groups.size < 2 || chans.size < 2) continue;
    const key = [...groups].sort().join(",");
    let c = found.get(key);
    if (!c) {
      c = { cycles: 0, exact: true, members: [], example: undefined };
      found.set(key, c);
    }
    c.cycles++;
    // One by one (`push(...xs)` overflows the call for about 100,000 goroutines or more).
    for (const m of members) c.members.push(m);
    if (members.some((w) => w.wait === undefined)) c.exact = false;
    c.example ??= exampleOf(comp, waits, edges, inComp);
  }
  return [...found.values()].map((c) => {
    const groups = tally(c.members);
    const at = (w: HeldWait) => groups.find((g) => g.sig === w.sig && g.site === w.site)!;
    const ex = c.example;
    return {
      groups,
      cycles: c.cycles,
      goroutines: c.members.length,
      example: ex && { a: at(ex.a), b: at(ex.b), x: ex.x, y: ex.y },
      exact: c.exact,
    };
  });
}

interface RawExample {
  a: HeldWait;
  b: HeldWait;
  x: number;
  y: number;
}
interface Found {
  cycles: number;
  exact: boolean;
  members: HeldWait[];
  example: RawExample | undefined;
}

/** Two goroutines of different groups in the cycle waiting on two different channels the other holds. */
function exampleOf(
  comp: number[],
  waits: HeldWait[],
  edges: Map<number, { to: number; via: number }[]>,
  inComp: Set<number>,
): RawExample | undefined {
  // From the group with the fewest goroutines in the cycle: the one that holds the others (a coordinator).
  const per = new Map<string, number>();
  for (const i of comp) per.set(groupKey(waits[i]!), (per.get(groupKey(waits[i]!)) ?? 0) + 1);
  const order = [...comp].sort(
    (p, q) => per.get(groupKey(waits[p]!))! - per.get(groupKey(waits[q]!))! || p - q,
  );
  for (const i of order)
    for (const e of edges.get(i)!) {
      if (!inComp.has(e.to) || groupKey(waits[e.to]!) === groupKey(waits[i]!)) continue;
      const back = edges
        .get(e.to)!
        .find((f) => f.via !== e.via && groupKey(waits[f.to]!) === groupKey(waits[i]!));
      if (back) return { a: waits[i]!, b: waits[e.to]!, x: e.via, y: back.via };
    }
  return undefined;
}

/**
 * Goroutines in `WaitGroup.Wait` on a WaitGroup that nothing left could bring to zero: no goroutine but its
 * waiters holds it, none of them started a goroutine in the program's own code that is still alive, their
 * parent has exited, and it left no live goroutine of the program's own code beside them (closures hold a
 * WaitGroup without printing it). Only for a complete dump with parent ids: a goroutine not printed could
 * call Done.
 */
export function findStuckWaitGroups(
  ev: HoldEvidence,
  alive: (id: number) => boolean,
  complete: boolean,
): StuckWaitGroup[] {
  if (!complete || ev.withParents === 0) return [];
  const byWg = new Map<number, HeldWait[]>();
  for (const w of ev.waits) if (w.kind === "waitgroup" && w.wait !== undefined) push(byWg, w.wait, w);
  const stuck: HeldWait[] = [];
  const wgs = new Map<string, Set<number>>();
  // Held by no goroutine but its waiters, first: that test is one sketch read, while the children of the
  // waiters and their parents are counted in a pass over every user goroutine's parent, done only when a
  // WaitGroup passes it and only for those ids.
  const held = [...byWg].filter(([x, ws]) => ev.holders(x) === ws.length);
  if (held.length === 0) return [];
  const ids = new Set<number>();
  for (const [, ws] of held) for (const w of ws) ids.add(w.id).add(w.parent);
  const children = ev.userChildren(ids);
  for (const [x, ws] of held) {
    if (ws.some((w) => children.has(w.id))) continue;
    if (ws.some((w) => w.parent < 0 || alive(w.parent))) continue;
    const perParent = new Map<number, number>();
    for (const w of ws) if (w.userStart) perParent.set(w.parent, (perParent.get(w.parent) ?? 0) + 1);
    if ([...new Set(ws.map((w) => w.parent))].some((p) => (children.get(p) ?? 0) > (perParent.get(p) ?? 0)))
      continue;
    for (const w of ws) stuck.push(w);
    for (const w of ws) {
      const k = groupKey(w);
      const s = wgs.get(k) ?? new Set<number>();
      s.add(x);
      wgs.set(k, s);
    }
  }
  if (stuck.length === 0) return [];
  // One report per set of groups waiting on the same WaitGroups (usually one group).
  const joined = new Map<string, HeldWait[]>();
  const wgGroups = new Map<number, Set<string>>();
  for (const w of stuck) {
    const s = wgGroups.get(w.wait!) ?? new Set<string>();
    s.add(groupKey(w));
    wgGroups.set(w.wait!, s);
  }
  for (const w of stuck) push(joined, [...wgGroups.get(w.wait!)!].sort().join(","), w);
  return [...joined.values()].map((ws) => ({
    groups: tally(ws),
    waitGroups: new Set(ws.map((w) => w.wait)).size,
    goroutines: ws.length,
    example: ws[0]!.wait!,
  }));
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Strongly connected components (Tarjan's, iterative). */
function components(nodes: number[], next: (i: number) => number[]): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { v: number; it: number[]; k: number }[] = [{ v: root, it: next(root), k: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.k < top.it.length) {
        const w = top.it[top.k++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, it: next(w), k: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        out.push(comp);
      }
    }
  }
  return out;
}
