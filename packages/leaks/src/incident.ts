// Incidents: the groups of one cause gathered together, from the evidence the dump holds, with a root cause and a title.
import { formatCount as fmt } from "@gosleuth/model";
import { flatCopy } from "@gosleuth/spawn-graph/internal";
import {
  type ChannelCycle,
  findChannelCycles,
  findStuckWaitGroups,
  type StuckGroup,
  type StuckWaitGroup,
} from "./cycles.ts";
import type { Finding, Location } from "./finding.ts";
import type { Grouper, GroupTally } from "./grouper.ts";
import { describeInversion, findInversionsIn, type Inversion } from "./lock-order.ts";
import { PAIRINGS } from "./pairings.ts";
import { STATE_WORDS } from "./rules.ts";
import type { LeakSettings, Severity } from "./settings.ts";
import { isUserFunction } from "./std.ts";

export type IncidentKind =
  | "lock-order inversion"
  | "channel cycle"
  | "stuck WaitGroup"
  | "deadlock"
  | "stuck outbound call"
  | "related groups"
  | "single group";

export interface Incident {
  /** `I1`, `I2` … in report order (most severe first). */
  id: string;
  severity: Severity;
  score: number;
  title: string;
  kind: IncidentKind;
  /** Goroutines in all its groups. */
  count: number;
  /** Indices into the report's findings, strongest first. */
  findings: number[];
  /** Where the first goroutine of the chain blocks, in the program's own code when the stack has some. */
  rootCause: Location | null;
  /** The evidence that tied the groups together. */
  reasons: string[];
}

/** What incidents are built from besides the findings: the last snapshot's groups and the runtime's own words. */
export interface IncidentInput {
  findings: Finding[];
  /** Grouper of the last snapshot (wait objects, parents, lock waits). */
  grouper?: Grouper;
  /** `fatal error:` and `panic:` messages of the last snapshot. */
  verdict?: readonly string[];
  settings: LeakSettings;
  /**
   * Every goroutine of the process is in the (last) dump (default true): false for a dump that looks cut
   * short, where a goroutine not printed could still call a WaitGroup's Done.
   */
  complete?: boolean;
}

const RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };
const DEADLOCK = /all goroutines are asleep - deadlock/;
const SYNCTEST = /main bubble goroutine has exited but blocked goroutines remain/;

/** The innermost frame of the group's stack in the program's own code (from its signature), if any. */
export function userFrame(f: Finding): Location | null {
  const lines = f.signature.split("\n").slice(1);
  for (const l of lines) {
    const sp = l.lastIndexOf(" ");
    const fn = l.slice(0, sp);
    if (!isUserFunction(fn)) continue;
    const loc = l.slice(sp + 1);
    const colon = loc.lastIndexOf(":");
    return { function: fn, file: loc.slice(0, colon), line: Number(loc.slice(colon + 1)) || 0 };
  }
  return f.blockingFrame;
}

const short = (fn: string) => fn.replace(/^.*\/(?=[^/]*$)/, "").replace(/^[^.(]*\./, "");
const base = (file: string) => file.replace(/^.*\//, "");

const hex = (v: number) => `0x${v.toString(16)}`;

/** The sentence a channel cycle is reported with. */
function describeCycle(c: ChannelCycle): string {
  const counts = c.groups.map((g) => fmt(g.count)).join(" + ");
  const how = c.exact
    ? ""
    : " (the dump does not print which channel a goroutine waits on: it is one of the pointers its blocking frame was called with, all held by these goroutines only)";
  const e = c.example;
  const first = e
    ? `\`${short(e.a.fn)}\` waits at ${base(e.a.file)}:${e.a.line} on chan ${hex(e.x)} that only \`${short(e.b.fn)}\` goroutines hold, which wait at ${base(e.b.file)}:${e.b.line} on chan ${hex(e.y)} that only \`${short(e.a.fn)}\` holds`
    : `${c.groups.map((g) => `\`${short(g.fn)}\` (${base(g.file)}:${g.line})`).join(", ")} wait on channels only the others hold`;
  return `channel cycle suspected: ${first}; ${fmt(c.cycles)} cycle${c.cycles === 1 ? "" : "s"}, ${counts} goroutines${how}`;
}

/** Past `incidents.maxChannelWaits` waiters, the counts are of those examined only. */
const partly = (overflow: boolean) =>
  overflow
    ? " (counted among the first waiters only: as many as incidents.maxChannelWaits were examined)"
    : "";

/** The sentence a stuck WaitGroup is reported with. */
function describeWaitGroup(w: StuckWaitGroup): string {
  const at = w.groups.map((g) => `\`${short(g.fn)}\` (${base(g.file)}:${g.line})`).join(", ");
  return `${fmt(w.goroutines)} goroutine${w.goroutines === 1 ? "" : "s"} in ${at} wait on ${fmt(w.waitGroups)} WaitGroup${w.waitGroups === 1 ? "" : "s"} (e.g. ${hex(w.example)}) that no other goroutine holds; none started a goroutine of the program that is still alive, and their creators have exited: nothing is left to call Done`;
}

/**
 * Kinds that name a component over the one it has: a lock-order inversion, the runtime's verdict and a channel
 * cycle say more than a pairing (higher first); any other kind names only a component that has none yet.
 */
const KIND_RANK: Partial<Record<IncidentKind, number>> = {
  "lock-order inversion": 3,
  deadlock: 2,
  "channel cycle": 1,
};

/** Union-find over finding indices, with the reasons each union was made for. */
class Components {
  private readonly up: number[];
  /**
   * Per root, the reasons of its component's unions in order (a root's own, then those of each
   * component joined to it), and the same as a set for the check that a reason is new. Both are
   * extended in place, the smaller set into the larger: copying a root's list at every union was
   * quadratic (1,049 unions into one component on the 216k bench dump: 6.9 ms).
   */
  readonly why = new Map<number, string[]>();
  private readonly whySet = new Map<number, Set<string>>();
  readonly kinds = new Map<number, IncidentKind>();
  constructor(n: number) {
    this.up = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.up[i] !== i) {
      this.up[i] = this.up[this.up[i]!]!;
      i = this.up[i]!;
    }
    return i;
  }
  join(members: number[], reason: string, kind?: IncidentKind): void {
    if (members.length === 0) return;
    let root = this.find(members[0]!);
    for (const m of members.slice(1)) {
      const r = this.find(m);
      if (r === root) continue;
      // The smaller index (the stronger finding) stays the root.
      const [keep, drop] = r < root ? [r, root] : [root, r];
      this.up[drop] = keep;
      const dw = this.why.get(drop);
      if (dw !== undefined) {
        const kw = this.why.get(keep);
        if (kw === undefined) this.why.set(keep, dw);
        else for (const x of dw) kw.push(x);
        this.why.delete(drop);
        const ds = this.whySet.get(drop)!;
        const ks = this.whySet.get(keep);
        if (ks === undefined) this.whySet.set(keep, ds);
        else if (ks.size >= ds.size) for (const x of ds) ks.add(x);
        else {
          for (const x of ks) ds.add(x);
          this.whySet.set(keep, ds);
        }
        this.whySet.delete(drop);
      }
      const k = this.kinds.get(drop);
      if (k && !this.kinds.has(keep)) this.kinds.set(keep, k);
      this.kinds.delete(drop);
      root = keep;
    }
    let w = this.why.get(root);
    let set = this.whySet.get(root);
    if (w === undefined || set === undefined) {
      w = [];
      set = new Set();
      this.why.set(root, w);
      this.whySet.set(root, set);
    }
    if (!set.has(reason)) {
      set.add(reason);
      w.push(reason);
    }
    if (kind) {
      const cur = this.kinds.get(root);
      if (!cur || (KIND_RANK[kind] ?? 0) > (KIND_RANK[cur] ?? 0)) this.kinds.set(root, kind);
    }
  }
}

const near = (a: number, b: number, tol: number) =>
  Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));

/** Ratios of growth that tie two groups: one caller holding one, two, three or four goroutines of the other, or 2 : 3. */
const RATIOS: readonly [number, number][] = [
  [1, 1],
  [2, 1],
  [1, 2],
  [3, 1],
  [1, 3],
  [4, 1],
  [1, 4],
  [3, 2],
  [2, 3],
];

/**
 * The ratio p : q at which two series of counts grew together, if any: between every pair of snapshots q × the
 * first's growth equals p × the second's (within the tolerance, or off by at most one goroutine of each), it grew
 * at least twice, and the last counts stand in the same ratio.
 */
export function lockstepRatio(
  ca: readonly number[],
  cb: readonly number[],
  tol: number,
): [number, number] | undefined {
  const last = ca.length - 1;
  if (last < 1 || cb.length !== ca.length) return undefined;
  for (const [p, q] of RATIOS) {
    if (!near(q * ca[last]!, p * cb[last]!, tol)) continue;
    let grew = 0;
    let same = true;
    for (let k = 1; k <= last && same; k++) {
      const da = ca[k]! - ca[k - 1]!;
      const db = cb[k]! - cb[k - 1]!;
      if (da > 0) grew++;
      same = near(q * da, p * db, tol) || Math.abs(q * da - p * db) <= Math.max(p, q);
    }
    if (same && grew >= 2) return [p, q];
  }
  return undefined;
}

/** Gathers the findings (sorted, most severe first) into incidents. Changes nothing in the findings but `benign` and reasons of benign members of a leak incident. */
export function buildIncidents(input: IncidentInput): Incident[] {
  const { findings, grouper, settings } = input;
  const t = settings.incidents;
  const n = findings.length;
  const uf = new Components(n);
  const tallies = new Map<string, GroupTally>();
  if (grouper) for (const a of grouper.groups.values()) tallies.set(grouper.keyOf(a), a);
  const index = new Map(findings.map((f, i) => [f.key, i]));
  const live = (i: number) => findings[i]!.count > 0;
  const extras = new Map<number, { title?: string; root?: Location }>();

  // Lock-order inversion: goroutines each waiting for a lock another of them holds.
  let inversion: Inversion | undefined;
  if (grouper) {
    inversion = findInversionsIn(grouper.lockWaitTable);
    if (inversion) {
      const keyOf = (sig: number, site: number) =>
        [...grouper.groups.values()].find((a) => a.sig === sig && a.site === site);
      const members: number[] = [];
      for (const g of [...inversion.deadlocked, ...inversion.queued]) {
        const a = keyOf(g.sig, g.site);
        const i = a ? index.get(grouper.keyOf(a)) : undefined;
        if (i !== undefined && !members.includes(i)) members.push(i);
      }
      if (members.length > 0) {
        uf.join(members, describeInversion(inversion), "lock-order inversion");
        const d = inversion.deadlocked;
        const fns = [...new Set(d.map((x) => short(x.fn)))];
        const root = d[0]!;
        extras.set(members[0]!, {
          title: `lock-order inversion: ${fns.map((x) => `\`${x}\``).join(" and ")} take the same locks in opposite order (${fmt(inversion.deadlockedCount)} goroutines deadlocked on ${inversion.locks} locks, ${fmt(inversion.queuedCount)} queued behind)`,
          root: { function: root.fn, file: root.file, line: root.line },
        });
      }
    }
  }

  // Channel cycles and WaitGroups nothing can bring to zero: who waits on what, and who else holds it.
  if (grouper) {
    const indexOf = (g: StuckGroup) => {
      const a = grouper.groupOf(g.sig, g.site);
      return a && index.get(grouper.keyOf(a));
    };
    // The findings of a cycle's or a WaitGroup's groups, each once.
    const membersOf = (groups: readonly StuckGroup[]) => [
      ...new Set(groups.map(indexOf).filter((i): i is number => i !== undefined)),
    ];
    const rootOf = (g: StuckGroup): Location => ({ function: g.fn, file: g.file, line: g.line });
    for (const c of findChannelCycles(grouper.holds)) {
      const members = membersOf(c.groups);
      if (members.length < 2) continue;
      uf.join(members, describeCycle(c) + partly(grouper.holds.overflow), "channel cycle");
      const lead = c.example?.a ?? c.groups[0]!;
      extras.set(indexOf(lead) ?? members[0]!, {
        title: `channel cycle suspected: ${c.groups.map((g) => `${fmt(g.count)} × \`${short(g.fn)}\``).join(" and ")} wait on each other's channels (${fmt(c.cycles)} cycle${c.cycles === 1 ? "" : "s"}, no other goroutine holds their channels)`,
        root: rootOf(lead),
      });
    }
    const alive = (id: number) => grouper.startOf(id) !== undefined;
    for (const w of findStuckWaitGroups(grouper.holds, alive, input.complete ?? true)) {
      const members = membersOf(w.groups);
      if (members.length === 0) continue;
      uf.join(members, describeWaitGroup(w) + partly(grouper.holds.overflow), "stuck WaitGroup");
      const lead = w.groups[0]!;
      extras.set(indexOf(lead) ?? members[0]!, {
        title: `WaitGroup that can never reach zero: ${fmt(w.goroutines)} goroutine${w.goroutines === 1 ? "" : "s"} in \`${short(lead.fn)}\` wait on ${fmt(w.waitGroups)} WaitGroup${w.waitGroups === 1 ? "" : "s"} that no live goroutine could call Done on`,
        root: rootOf(lead),
      });
    }
  }

  // Well-known pairings: each waiting caller holds one goroutine of each partner kind.
  for (const p of PAIRINGS) {
    for (let i = 0; i < n; i++) {
      const c = findings[i]!;
      if (!live(i) || c.benign || !c.signature.includes(`\n${p.caller} `)) continue;
      const partners: number[] = [];
      for (const start of p.partners) {
        const j = findings.findIndex(
          (f, k) => live(k) && f.startFunction === start && near(f.count, c.count, t.countTolerance),
        );
        if (j >= 0) partners.push(j);
      }
      if (partners.length === 0) continue;
      uf.join(
        [i, ...partners],
        `each of the ${fmt(c.count)} callers waiting in \`${short(p.caller)}\` holds a ${p.name}: ${partners.map((j) => `${fmt(findings[j]!.count)} × \`${short(findings[j]!.startFunction)}\``).join(", ")}`,
        "stuck outbound call",
      );
      const waits = c.waitMinutes.max >= 1;
      extras.set(i, {
        // Waits of a minute or more: a client timeout would have ended them; shorter ones may be calls in flight.
        title: waits
          ? `outbound call without timeout: ${fmt(c.count)} requests stuck waiting for the peer, each holding ${p.holds}`
          : `outbound calls in flight: ${fmt(c.count)} requests waiting for the peer, each holding ${p.holds}`,
        root: userFrame(c) ?? c.blockingFrame ?? undefined,
      });
    }
  }

  // Candidates for counting evidence: groups that are leak suspects themselves and big enough not to coincide.
  const cands: number[] = [];
  // Strongest first, bounded: pairs are compared one by one.
  for (let i = 0; i < n && cands.length < 2000; i++) {
    const f = findings[i]!;
    if (live(i) && !f.benign && f.severity !== "info" && f.count >= t.minLockstepCount) cands.push(i);
  }
  /** Started by the same goroutines at the same function, or one group by goroutines of the other. */
  const spawnedTogether = (i: number, j: number): boolean => {
    const a = findings[i]!;
    const b = findings[j]!;
    const ta = tallies.get(a.key);
    const tb = tallies.get(b.key);
    if (!grouper || !ta || !tb) return false;
    if (a.creator && b.creator && a.creator.function === b.creator.function) {
      const [small, big] =
        ta.parents.size < tb.parents.size ? [ta.parents, tb.parents] : [tb.parents, ta.parents];
      for (const p of small) if (big.has(p)) return true;
    }
    const startedBy = (t: GroupTally, fn: string) => {
      let seen = 0;
      for (const p of t.parents) {
        if (++seen > 50) break;
        if (grouper.startOf(p) === fn) return true;
      }
      return false;
    };
    return startedBy(tb, a.startFunction) || startedBy(ta, b.startFunction);
  };
  const series = cands.some((i) => (findings[i]!.growth?.counts.length ?? 0) > 1);
  for (let x = 0; x < cands.length; x++) {
    for (let y = x + 1; y < cands.length; y++) {
      const a = findings[cands[x]!]!;
      const b = findings[cands[y]!]!;
      if (series) {
        const ca = a.growth?.counts;
        const cb = b.growth?.counts;
        if (!ca || !cb || ca.length !== cb.length) continue;
        const r = lockstepRatio(ca, cb, t.countTolerance);
        // Groups of independent requests arriving at fixed rates grow in proportion too: a ratio other than
        // 1 : 1 ties two groups only when one goroutine holds goroutines of both (they share parents, or
        // one group's goroutines started the other's).
        if (r && (r[0] === r[1] || spawnedTogether(cands[x]!, cands[y]!)))
          uf.join(
            [cands[x]!, cands[y]!],
            r[0] === r[1]
              ? `grew in lockstep: ${ca.map(fmt).join(" → ")} and ${cb.map(fmt).join(" → ")}`
              : `grew in lockstep at ${r[0]} : ${r[1]} (${r[1] === 1 ? `${r[0]} of \`${short(a.startFunction)}\` for each \`${short(b.startFunction)}\`` : r[0] === 1 ? `${r[1]} of \`${short(b.startFunction)}\` for each \`${short(a.startFunction)}\`` : "in proportion"}, started together): ${ca.map(fmt).join(" → ")} and ${cb.map(fmt).join(" → ")}`,
          );
      } else if (
        near(a.count, b.count, t.countTolerance) &&
        Math.abs(a.waitMinutes.min - b.waitMinutes.min) <= 1 &&
        Math.abs(a.waitMinutes.max - b.waitMinutes.max) <= 1
      ) {
        uf.join(
          [cands[x]!, cands[y]!],
          `equal counts with matching waits: ${fmt(a.count)} and ${fmt(b.count)} goroutines waiting ${a.waitMinutes.min}–${a.waitMinutes.max} min`,
        );
      }
    }
  }

  // Shared objects: goroutines of several groups waiting on the same channels, mutexes or conditions.
  const byObject = new Map<string, number[]>();
  for (const [k, a] of tallies) {
    const i = index.get(k);
    if (i === undefined) continue;
    for (const o of a.objects) {
      let l = byObject.get(o);
      if (!l) byObject.set(o, (l = []));
      l.push(i);
    }
  }
  const shared = new Map<string, { members: number[]; objects: number }>();
  for (const l of byObject.values()) {
    if (l.length < 2) continue;
    const members = [...new Set(l)].sort((p, q) => p - q);
    const k = members.join(",");
    const s = shared.get(k);
    if (s) s.objects++;
    else shared.set(k, { members, objects: 1 });
  }
  for (const { members, objects } of shared.values()) {
    if (!members.some((i) => findings[i]!.severity !== "info")) continue;
    uf.join(
      members,
      `waiting on the same ${objects} object${objects === 1 ? "" : "s"} (channels, locks or conditions) in ${members.length} groups`,
    );
  }

  // Spawn: a group created by goroutines that are still alive and all of one other suspect group.
  if (grouper) {
    const byStart = new Map<string, number[]>();
    findings.forEach((f, i) => {
      if (!live(i)) return;
      const l = byStart.get(f.startFunction);
      if (l) l.push(i);
      else byStart.set(f.startFunction, [i]);
    });
    for (const [k, a] of tallies) {
      const i = index.get(k);
      if (i === undefined || findings[i]!.severity === "info") continue;
      const starts = new Set<string>();
      let seen = 0;
      for (const p of a.parents) {
        if (++seen > 50) break;
        const s = grouper.startOf(p);
        if (s !== undefined) starts.add(s);
      }
      if (starts.size !== 1) continue;
      const [s] = starts;
      const owners = byStart.get(s!) ?? [];
      if (owners.length !== 1 || owners[0] === i) continue;
      const o = findings[owners[0]!]!;
      if (o.benign || o.severity === "info") continue;
      uf.join(
        [owners[0]!, i],
        `created by goroutines of \`${short(o.startFunction)}\` that are still blocked`,
      );
    }
  }

  // The runtime's own verdict: every goroutine is blocked for good.
  const verdict = (input.verdict ?? []).find((m) => DEADLOCK.test(m) || SYNCTEST.test(m));
  if (verdict) {
    const members = findings
      .map((_f, i) => i)
      .filter(
        (i) =>
          live(i) &&
          findings[i]!.category !== "runtime" &&
          !findings[i]!.startFunction.startsWith("runtime."),
      );
    if (members.length > 0) {
      const kind: IncidentKind = inversion ? "lock-order inversion" : "deadlock";
      uf.join(members, `the runtime says: ${verdict.trim()}`, kind);
    }
  }

  // Gather the components.
  const comps = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const l = comps.get(r);
    if (l) l.push(i);
    else comps.set(r, [i]);
  }
  const out: Omit<Incident, "id">[] = [];
  for (const [root, members] of comps) {
    members.sort((p, q) => p - q);
    const kind0 = uf.kinds.get(root);
    let severity = members.reduce<Severity>(
      (s, i) => (RANK[findings[i]!.severity] > RANK[s] ? findings[i]!.severity : s),
      "info",
    );
    if (
      verdict &&
      (kind0 === "deadlock" || kind0 === "lock-order inversion") &&
      uf.why.get(root)?.some((w) => w.startsWith("the runtime says"))
    )
      severity = "high";
    if (severity === "info") continue;
    const lead = findings[members[0]!]!;
    const count = members.reduce((s, i) => s + findings[i]!.count, 0);
    const extra = members.map((i) => extras.get(i)).find((e) => e !== undefined);
    const kind: IncidentKind = kind0 ?? (members.length > 1 ? "related groups" : "single group");
    const rootCause = extra?.root ?? userFrame(lead);
    let title = extra?.title;
    if (kind === "deadlock" || (kind === "lock-order inversion" && !title)) {
      title = SYNCTEST.test(verdict ?? "")
        ? `synctest: the main bubble goroutine exited with ${fmt(count)} goroutines still blocked`
        : `deadlock reported by the runtime: all goroutines are asleep (${fmt(count)} goroutines${kind === "lock-order inversion" ? ", lock-order inversion" : ""})`;
    }
    if (!title) {
      const what = STATE_WORDS[lead.stateClass] ?? lead.state;
      const at = rootCause
        ? ` at \`${short(rootCause.function)}\` (${base(rootCause.file)}:${rootCause.line})`
        : "";
      title =
        members.length > 1
          ? `${fmt(count)} goroutines in ${members.length} related groups, led by ${fmt(lead.count)} ${what}${at}`
          : `${fmt(count)} goroutines ${what}${at}`;
    }
    // A known-benign shape that is part of a leak incident is part of the leak.
    if (members.length > 1)
      for (const i of members) {
        const f = findings[i]!;
        if (!f.benign) continue;
        f.benign = false;
        f.benignAlone = true;
        f.reasons.push(
          `not benign here: part of a ${kind} incident with ${members.length - 1} other group${members.length === 2 ? "" : "s"}`,
        );
      }
    out.push({
      severity,
      score: members.reduce((m, i) => Math.max(m, findings[i]!.score), Number.NEGATIVE_INFINITY),
      // A flat copy: kept until the report is written (see flatCopy).
      title: flatCopy(title),
      kind,
      count,
      findings: members,
      rootCause,
      reasons: uf.why.get(root) ?? [],
    });
  }
  out.sort(
    (a, b) => RANK[b.severity] - RANK[a.severity] || b.score - a.score || a.findings[0]! - b.findings[0]!,
  );
  return out.map((x, i) => {
    const id = `I${i + 1}`;
    for (const j of x.findings) findings[j]!.incident = id;
    return { id, ...x };
  });
}
