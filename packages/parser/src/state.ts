// Maps the runtime's wait reasons and status strings to the model's state classes.
import type { StateClass } from "@gosleuth/model";

const EXACT: Record<string, StateClass> = {
  running: "running",
  runnable: "runnable",
  syscall: "syscall",
  "IO wait": "io-wait",
  sleep: "sleep",
  "chan receive": "chan-receive",
  "chan send": "chan-send",
  "chan receive (nil chan)": "chan-nil",
  "chan send (nil chan)": "chan-nil",
  select: "select",
  "select (no cases)": "select-no-cases",
  "sync.Mutex.Lock": "mutex",
  "sync.RWMutex.RLock": "rwmutex",
  "sync.RWMutex.Lock": "rwmutex",
  "sync.Cond.Wait": "cond",
  "sync.WaitGroup.Wait": "waitgroup",
  semacquire: "semacquire",
  idle: "idle",
  "force gc (idle)": "idle",
  preempted: "preempted",
  dead: "dead",
  waiting: "unknown",
  copystack: "runtime",
  leaked: "unknown",
  "finalizer wait": "runtime",
  "timer goroutine (idle)": "runtime",
  "trace reader (blocked)": "runtime",
  "wait for GC cycle": "gc",
  "cleanup wait": "runtime",
  "GOMAXPROCS updater (idle)": "runtime",
  panicwait: "runtime",
  "debug call": "runtime",
  "dumping heap": "runtime",
  "stopping the world": "runtime",
  "flushing proc caches": "runtime",
  "trace goroutine status": "runtime",
  "trace proc status": "runtime",
  "page trace flush": "runtime",
  coroutine: "runtime",
  "synctest.Run": "runtime",
  "synctest.Wait": "runtime",
};

const cache = new Map<string, StateClass>();

/** The state class of a raw state (`chan receive`, `sleep (durable)`, `GC worker (idle)` ...). */
export function classifyState(raw: string): StateClass {
  let c = cache.get(raw);
  if (c !== undefined) return c;
  c = EXACT[raw];
  if (c === undefined) {
    // synctest variants: `chan receive (durable)`, `select (synctest)` keep their base class.
    const base = raw.replace(/ \((durable|synctest)\)$/, "");
    c = EXACT[base];
    if (c === undefined) {
      if (raw.startsWith("GC ") || raw.startsWith("garbage collection")) c = "gc";
      else c = "unknown";
    }
  }
  if (cache.size < 10_000) cache.set(raw, c);
  return c;
}
