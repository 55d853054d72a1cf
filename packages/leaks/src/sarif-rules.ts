// The SARIF rules gosleuth reports under: one per finding category, in the words of packages/leaks/RULES.md.
import type { ReportingDescriptor } from "sarif";
import type { Category, Finding } from "./finding.ts";

export type RuleId = Exclude<Category, "benign" | "ignored">;

interface RuleDoc {
  short: string;
  full: string;
  help: string;
  level: "error" | "warning" | "note";
  precision: "very-high" | "high" | "medium" | "low";
}

const BLOCKED_HELP =
  "Find the goroutine that should wake them (the sender, receiver, unlocker or canceller) and make sure it " +
  "exists on every path, including errors and timeouts; give the wait a context or a deadline.";

// The words of packages/leaks/RULES.md, which the rules' helpUri points at.
const RULES: Record<RuleId, RuleDoc> = {
  "nil-channel": {
    short: "Goroutines blocked forever on a nil channel",
    full: "Goroutines are blocked sending to or receiving from a nil channel. A nil channel never becomes ready, so they can never proceed: every one is leaked.",
    help: "A channel that was never made (a zero-valued field, a map miss, a channel set to nil after close) blocks forever. Make the channel before starting the goroutine, or select on it with a context's Done channel.",
    level: "error",
    precision: "very-high",
  },
  "empty-select": {
    short: "Goroutines blocked forever in select {}",
    full: "Goroutines outside main are parked in an empty select statement, which never returns.",
    help: "An empty select blocks forever. Outside main it is almost always a leak: wait on a context or a quit channel instead.",
    level: "error",
    precision: "very-high",
  },
  "blocked-chan-send": {
    short: "Goroutines piling up blocked on a channel send",
    full: "Many goroutines are blocked sending on a channel that nobody receives from, and their number or wait suggests they never will.",
    help: `A send blocks until a receiver takes the value. ${BLOCKED_HELP}`,
    level: "warning",
    precision: "high",
  },
  "blocked-chan-receive": {
    short: "Goroutines piling up blocked on a channel receive",
    full: "Many goroutines are blocked receiving from a channel that nobody sends on or closes.",
    help: `A receive blocks until a value is sent or the channel is closed. ${BLOCKED_HELP}`,
    level: "warning",
    precision: "high",
  },
  "blocked-select": {
    short: "Goroutines piling up blocked in select",
    full: "Many goroutines are blocked in a select none of whose cases becomes ready.",
    help: `Add a case for a context's Done channel or a timer. ${BLOCKED_HELP}`,
    level: "warning",
    precision: "high",
  },
  "cond-wait": {
    short: "Goroutines piling up on a sync.Cond that is not signalled",
    full: "Many goroutines wait on a sync.Cond that is not signalled or broadcast.",
    help: "Every Wait needs a Signal or Broadcast on each path that changes the condition, including shutdown.",
    level: "warning",
    precision: "medium",
  },
  "lock-wait": {
    short: "Goroutines piling up waiting for a lock",
    full: "Many goroutines wait for a sync.Mutex or RWMutex that is held for a long time or never released.",
    help: "Look for a lock held across a blocking call, or an Unlock missed on an error path (use defer).",
    level: "warning",
    precision: "medium",
  },
  "waitgroup-wait": {
    short: "Goroutines piling up on a sync.WaitGroup",
    full: "Many goroutines wait on a sync.WaitGroup whose counter never reaches zero.",
    help: "Every Add needs a Done on every path of the goroutine it counts (use defer wg.Done()).",
    level: "warning",
    precision: "medium",
  },
  "semaphore-wait": {
    short: "Goroutines piling up on a semaphore",
    full: "Many goroutines wait to acquire a semaphore that is not released.",
    help: "Every Acquire needs a Release on every path; bound the wait with a context.",
    level: "warning",
    precision: "medium",
  },
  "io-wait": {
    short: "Goroutines piling up in IO wait",
    full: "Many goroutines wait on network or file IO, with a size or growth that suggests connections are not closed.",
    help: "Set deadlines on connections, close response bodies, and bound the number of open connections.",
    level: "note",
    precision: "low",
  },
  sleep: {
    short: "Goroutines piling up sleeping",
    full: "Many goroutines are sleeping, in numbers that suggest loops that never end.",
    help: "A goroutine that sleeps in a loop needs a way to stop (a context or a quit channel).",
    level: "note",
    precision: "low",
  },
  running: {
    short: "Many goroutines running",
    full: "Many goroutines are running or runnable at once.",
    help: "Bound the work started per request (a worker pool or a semaphore).",
    level: "note",
    precision: "low",
  },
  runtime: {
    short: "Runtime goroutines",
    full: "Goroutines of the Go runtime in numbers worth a look.",
    help: "Usually benign; growth here points at finalizers, timers or cgo calls that pile up.",
    level: "note",
    precision: "low",
  },
  other: {
    short: "Goroutines piling up",
    full: "Many goroutines share one stack and creator, in numbers or with growth that suggest a leak.",
    help: "Find out what they wait for and what should end them.",
    level: "note",
    precision: "low",
  },
};

const PROBLEM_SEVERITY = { error: "error", warning: "warning", note: "recommendation" } as const;

/** The rule a finding is reported under: its category, with benign and ignored groups under `other`. */
export function ruleOf(f: Finding): RuleId {
  return f.category === "benign" || f.category === "ignored" ? "other" : f.category;
}

/** The SARIF rule of `id`, with a link to its section of RULES.md when the repository URL is known. */
export function sarifRule(id: RuleId, repositoryUrl: string | undefined): ReportingDescriptor {
  const d = RULES[id];
  const docs = repositoryUrl
    ? `${repositoryUrl.replace(/\/+$/, "")}/blob/main/packages/leaks/RULES.md#${id}`
    : undefined;
  return {
    id: `gosleuth/${id}`,
    name: id.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: d.short },
    fullDescription: { text: d.full },
    help: {
      text: `${d.full} ${d.help}`,
      markdown: `**${d.short}.** ${d.full}\n\n${d.help}\n\nRun \`gosleuth leaks\` on a goroutine dump (\`/debug/pprof/goroutine?debug=2\`) for the groups, their creators and sample goroutine ids.`,
    },
    ...(docs ? { helpUri: docs } : {}),
    defaultConfiguration: { level: d.level },
    properties: {
      tags: ["goroutine-leak", "concurrency", "reliability"],
      precision: d.precision,
      "problem.severity": PROBLEM_SEVERITY[d.level],
    },
  };
}
