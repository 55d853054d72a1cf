// Incidents: the groups of one cause gathered together, from the evidence the dump holds, with a root cause and a title.
import { formatCount as fmt } from "@gosleuth/model";
import type { Finding, Location } from "./finding.ts";
import type { Grouper, GroupTally } from "./grouper.ts";
import { describeInversion, findInversions, type Inversion } from "./lock-order.ts";
import { PAIRINGS } from "./pairings.ts";
import { STATE_WORDS } from "./rules.ts";
import type { LeakSettings, Severity } from "./settings.ts";

export type IncidentKind =
  | "lock-order inversion"
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
}

const RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };
const DEADLOCK = /all goroutines are asleep - deadlock/;
const SYNCTEST = /main bubble goroutine has exited but blocked goroutines remain/;

/** Top-level directories of Go's standard library: frames there are not the program's own code. */
const STD = new Set(
  "archive bufio builtin bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings structs sync syscall testing text time unicode unique unsafe vendor weak".split(
    " ",
  ),
);

export function isStdFunction(fn: string): boolean {
  const slash = fn.lastIndexOf("/", fn.indexOf("(") >= 0 ? fn.indexOf("(") : fn.length);
  const pkgEnd = fn.indexOf(".", slash + 1);
  const pkg = fn.slice(0, pkgEnd < 0 ? fn.length : pkgEnd);
  const top = pkg.split("/")[0]!;
  return STD.has(top) || pkg === "sync" || pkg.startsWith("golang.org/x/");
}

/** The innermost frame of the group's stack in the program's own code (from its signature), if any. */
export function userFrame(f: Finding): Location | null {
  const lines = f.signature.split("\n").slice(1);
  for (const l of lines) {
    const sp = l.lastIndexOf(" ");
    const fn = l.slice(0, sp);
    if (!fn || isStdFunction(fn) || fn.startsWith("runtime.")) continue;
    const loc = l.slice(sp + 1);
    const colon = loc.lastIndexOf(":");
    return { function: fn, file: loc.slice(0, colon), line: Number(loc.slice(colon + 1)) || 0 };
  }
  return f.blockingFrame;
}

const short = (fn: string) => fn.replace(/^.*\/(?=[^/]*$)/, "").replace(/^[^.(]*\./, "");
const base = (file: string) => file.replace(/^.*\//, "");

/** Union-find over finding indices, with the reasons each union was made for. */
class Components {
  private readonly up: number[];
  readonly why = new Map<number, string[]>();
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
      const w = [...(this.why.get(keep) ?? []), ...(this.why.get(drop) ?? [])];
      this.why.set(keep, w);
      this.why.delete(drop);
      const k = this.kinds.get(drop);
      if (k && !this.kinds.has(keep)) this.kinds.set(keep, k);
      this.kinds.delete(drop);
      root = keep;
    }
    const w = this.why.get(root) ?? [];
    if (!w.includes(reason)) w.push(reason);
    this.why.set(root, w);
    if (kind) {
      const cur = this.kinds.get(root);
      // A lock-order inversion or the runtime's verdict says more than a pairing.
      if (!cur || kind === "lock-order inversion" || (kind === "deadlock" && cur !== "lock-order inversion"))
        this.kinds.set(root, kind);
    }
  }
}

const near = (a: number, b: number, tol: number) =>
  Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));

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
    inversion = findInversions(grouper.lockWaits);
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
  const series = cands.some((i) => (findings[i]!.growth?.counts.length ?? 0) > 1);
  for (let x = 0; x < cands.length; x++) {
    for (let y = x + 1; y < cands.length; y++) {
      const a = findings[cands[x]!]!;
      const b = findings[cands[y]!]!;
      if (series) {
        // Lockstep: the same growth between every pair of snapshots (and growth at least once).
        const ca = a.growth?.counts;
        const cb = b.growth?.counts;
        if (!ca || !cb || ca.length !== cb.length) continue;
        let grew = 0;
        let same = true;
        for (let k = 1; k < ca.length && same; k++) {
          const da = ca[k]! - ca[k - 1]!;
          const db = cb[k]! - cb[k - 1]!;
          if (da > 0) grew++;
          same = near(da, db, t.countTolerance) || Math.abs(da - db) <= 1;
        }
        if (same && grew >= 2 && near(a.count, b.count, t.countTolerance))
          uf.join(
            [cands[x]!, cands[y]!],
            `grew in lockstep: ${ca.map(fmt).join(" → ")} and ${cb.map(fmt).join(" → ")}`,
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
        f.reasons.push(
          `not benign here: part of a ${kind} incident with ${members.length - 1} other group${members.length === 2 ? "" : "s"}`,
        );
      }
    out.push({
      severity,
      score: Math.max(...members.map((i) => findings[i]!.score)),
      title,
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
  return out.map((x, i) => ({ id: `I${i + 1}`, ...x }));
}
