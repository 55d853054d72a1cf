// What the scoring knows about Go programs: healthy shapes, request handlers, start-up creators, and words per state class.
import type { StateClass } from "@gosleuth/model";
import type { Category } from "./finding.ts";

/** Start functions of goroutines that serve one request or connection: their children are per request. */
export const REQUEST_HANDLERS = [
  "net/http.(*conn).serve",
  "golang.org/x/net/http2.(*serverConn).runHandler",
  "google.golang.org/grpc.(*Server).handleStream",
  "google.golang.org/grpc.(*Server).serveStreams.func1.1",
  "google.golang.org/grpc.(*Server).serveStreams.func1.2",
];

/** Creators that run once per process (main, package init): what they start is a pool or a background loop. */
export function isStartupCreator(fn: string): boolean {
  return /^main\.main$|(^|\.)init(\.\d+)?$|\.init\.func\d+$/.test(fn);
}

export interface BenignShape {
  why: string;
  test: (start: string, top: string, cls: StateClass) => boolean;
}

/** Shapes that are healthy by construction; shown as info with the reason, never hidden. */
export const BENIGN: BenignShape[] = [
  { why: "runtime or GC worker", test: (_s, _t, cls) => cls === "gc" || cls === "runtime" || cls === "idle" },
  { why: "runtime-internal goroutine", test: (s) => s.startsWith("runtime.") || s === "" },
  {
    why: "signal handler loop (os/signal)",
    test: (s, t) => s.startsWith("os/signal.") || t === "os/signal.signal_recv",
  },
  {
    why: "idle HTTP keep-alive connection waiting for its next request",
    test: (s, _t, cls) => s === "net/http.(*conn).serve" && cls === "io-wait",
  },
  { why: "HTTP connection's background reader", test: (s) => s === "net/http.(*connReader).backgroundRead" },
  {
    why: "HTTP client keep-alive connection (persistConn loop)",
    test: (s) => s === "net/http.(*persistConn).readLoop" || s === "net/http.(*persistConn).writeLoop",
  },
  {
    why: "`select {}` in main keeps the program alive",
    test: (s, _t, cls) => cls === "select-no-cases" && s === "main.main",
  },
  { why: "main goroutine", test: (s, _t, cls) => s === "main.main" && cls !== "chan-nil" },
  {
    why: "network listener accepting connections",
    test: (_s, t, cls) =>
      cls === "io-wait" && /\.Accept$|\(\*TCPListener\)\.accept|\(\*netFD\)\.accept/.test(t),
  },
];

/** The category of a finding from its state class (benign and ignored groups get theirs from the rules). */
export const CATEGORY: Partial<Record<StateClass, Category>> = {
  "chan-nil": "nil-channel",
  "select-no-cases": "empty-select",
  "chan-send": "blocked-chan-send",
  "chan-receive": "blocked-chan-receive",
  select: "blocked-select",
  cond: "cond-wait",
  mutex: "lock-wait",
  rwmutex: "lock-wait",
  waitgroup: "waitgroup-wait",
  semacquire: "semaphore-wait",
  "io-wait": "io-wait",
  syscall: "io-wait",
  sleep: "sleep",
  running: "running",
  runnable: "running",
  gc: "runtime",
  runtime: "runtime",
  idle: "runtime",
};

/** How a reason says what the goroutines are doing, per state class. */
export const STATE_WORDS: Partial<Record<StateClass, string>> = {
  "chan-nil": "blocked forever on a nil channel",
  "select-no-cases": "blocked forever in `select {}`",
  "chan-send": "blocked on chan send",
  "chan-receive": "blocked on chan receive",
  select: "blocked in select",
  cond: "waiting on sync.Cond",
  mutex: "waiting for a sync.Mutex",
  rwmutex: "waiting for a sync.RWMutex",
  waitgroup: "waiting on sync.WaitGroup",
  semacquire: "waiting on a semaphore",
  "io-wait": "in IO wait",
  syscall: "in a syscall",
  sleep: "sleeping",
  running: "running",
  runnable: "runnable",
};
