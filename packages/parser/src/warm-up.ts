// A small made-up dump parsed before a big one, so that V8 has seen the fast path's branches taken before
// it optimises it.
//
// V8 compiles a hot function with what the function did so far: a branch never taken gets no code, only
// an exit back to the interpreter. On the 216k bench dump the parser's hottest function (`frameRun`) was
// thrown out that way four times in its first 450 ms (`--trace-deopt`: reads past a piece's end twice, a
// branch first taken twice, the last of them the first recursion), each time running unoptimised until V8
// compiled it anew, and so were the consumers' functions. Parsing a sample that takes those branches first
// (a few milliseconds, unoptimised) gives the first compile what it needs. The reads past the end are
// ruled out in the code itself (V8 speculates on them whatever it has seen).
import type { StreamItem } from "@gosleuth/model";
import { fastPathStats } from "./parser.ts";
import { Session } from "./session.ts";

/** One goroutine block of the sample: frame pairs (function line, file line) and, as plain strings, other body lines. */
function block(
  id: number,
  state: string,
  body: readonly ([string, string] | string)[],
  createdBy: string | undefined,
): string {
  let s = `goroutine ${id} [${state}]:\n`;
  for (const l of body) s += typeof l === "string" ? `${l}\n` : `${l[0]}\n\t${l[1]}\n`;
  if (createdBy !== undefined) s += `${createdBy}\n`;
  return `${s}\n`;
}

/** Hex text of a made-up pointer. */
const ptr = (n: number): string => `0xc000${(0x100000 + n * 0x40).toString(16)}`;

/**
 * The sample: goroutines of a few kinds, each many times over (bodies predicted and frames found again),
 * some with arguments seen once, recursion, elided frames, `created by` with and without its parent, a
 * goroutine without a creator at the end (the text ends right after a frame).
 */
export function warmUpText(rounds = 60): string {
  const parts: string[] = [];
  let id = 2;
  const park = [
    "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)",
    "/usr/local/go/src/runtime/proc.go:425 +0xce",
  ] as [string, string];
  for (let r = 0; r < rounds; r++) {
    const conn = ptr(r % 7);
    parts.push(
      block(
        id++,
        r % 3 === 0 ? "chan receive, 3 minutes" : "chan receive",
        [
          park,
          ["runtime.chanrecv(0xc0000a6060, 0x0, 0x1)", "/usr/local/go/src/runtime/chan.go:639 +0x3bc"],
          ["runtime.chanrecv1(0xc0000a6060?, 0x0?)", "/usr/local/go/src/runtime/chan.go:489 +0x12"],
          [`main.(*Conn).handleRequest(${conn}, 0x${(r % 5).toString(16)})`, "/app/server.go:78 +0x153"],
        ],
        `created by main.(*Server).serveConn in goroutine ${10 + (r % 4)}\n\t/app/server.go:84 +0x45`,
      ),
    );
    // Another kind in the same state, starting with another pair: first pairs alternate after one header tail.
    parts.push(
      block(
        id++,
        "chan receive",
        [
          [
            "runtime.gopark(0xc0000a6060?, 0x1?, 0x0?, 0x0?, 0x0?)",
            "/usr/local/go/src/runtime/proc.go:425 +0xce",
          ],
          [
            "runtime.chanrecv(0xc0000a6120, 0xc000051f50, 0x1)",
            "/usr/local/go/src/runtime/chan.go:639 +0x3bc",
          ],
          [`main.(*Worker).run(${ptr(r % 2)})`, "/app/worker.go:31 +0x65"],
        ],
        "created by main.startWorkers in goroutine 1\n\t/app/worker.go:20 +0x3d",
      ),
    );
    parts.push(
      block(
        id++,
        r % 4 === 0 ? "select, 12 minutes" : "select",
        [
          ["runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)", "/usr/local/go/src/runtime/proc.go:425 +0xce"],
          [
            "runtime.selectgo(0xc000051f28, 0xc000051f04, 0x0?, 0x0, 0x0?, 0x1)",
            "/usr/local/go/src/runtime/select.go:335 +0x7a5",
          ],
          [`main.(*Server).Serve(${ptr(r)}, 0xbb8, 0x14, ${ptr(r + 1)})`, "/app/server.go:87 +0xeb"],
        ],
        r % 2 === 0
          ? "created by main.main in goroutine 1\n\t/app/main.go:102 +0x1b3"
          : "created by main.main\n\t/app/main.go:102 +0x1b3",
      ),
    );
    // Recursion: one pair many times over (read in blocks), then the rest.
    const walk: [string, string][] = [];
    // (Inlined, and not: frames with and without an offset are objects of two shapes.)
    const pair: [string, string] =
      r % 2 === 0
        ? ["main.walk(...)", "/app/tree.go:31"]
        : ["main.walk(0x0?, 0x0?)", "/app/tree.go:31 +0x29"];
    for (let d = 0; d < 12 + (r % 20); d++) walk.push(pair);
    walk.unshift([
      "sync.runtime_SemacquireMutex(0xc0000b4024?, 0x0?, 0x1?)",
      "/usr/local/go/src/runtime/sema.go:95 +0x25",
    ]);
    walk.push([`main.visit(${ptr(r % 3)}, {0xc0000b4020, 0x3})`, "/app/tree.go:20 +0x5f"]);
    parts.push(
      block(
        id++,
        r % 2 === 0 ? "sync.Mutex.Lock" : "sync.Mutex.Lock, 5 minutes",
        walk,
        `created by main.start in goroutine 1\n\t/app/main.go:40 +0x2a`,
      ),
    );
    // Elided frames: at the end, and in the middle (frames read again after the marker).
    const sleep: [string, string] = [
      "time.Sleep(0x3b9aca00)",
      "/usr/local/go/src/runtime/time.go:300 +0x116",
    ];
    const poll: [string, string] = ["main.poll(...)", "/app/poll.go:12"];
    parts.push(
      block(
        id++,
        "sleep",
        r % 2 === 0
          ? [sleep, poll, "...additional frames elided..."]
          : [sleep, "...7 frames elided...", poll],
        "created by main.main in goroutine 1\n\t/app/main.go:50 +0x99",
      ),
    );
    if (r % 10 === 9) {
      parts.push(
        block(
          id++,
          "runnable, locked to thread",
          [["main.spin()", "/app/spin.go:9 +0x1"]],
          "created by main.main in goroutine 1\n\t/app/main.go:60 +0x25",
        ),
      );
    }
  }
  parts.push(block(1, "running", [["main.main()", "/app/main.go:112 +0x38a"]], undefined));
  return parts.join("");
}

/** The sample's piece size (see warmUp). */
const WARM_UP_PIECE = 8 * 1024;

let sampleBytes: Uint8Array | undefined;

/**
 * Parses the sample on a session of its own (nothing of it reaches another session), handing its
 * goroutines to `onItems` as a parse hands them to a consumer (a consumer of the caller's kind, made for
 * this alone, so that its code gets the same start). Leaves the fast path's counters as they were.
 */
export function warmUp(onItems?: (items: StreamItem[]) => void): void {
  const saved = { ...fastPathStats };
  sampleBytes ??= new TextEncoder().encode(warmUpText());
  // Pieces smaller than a read, as the big reads of a file are: the splitter cuts several from one read.
  const s = new Session(WARM_UP_PIECE, onItems);
  // In reads of a few sizes, as files arrive.
  for (let i = 0, step = 5000; i < sampleBytes.length; i += step, step *= 2) {
    s.feedBytes(sampleBytes.subarray(i, i + step));
  }
  s.finish();
  const rest = s.drain();
  if (onItems !== undefined && rest.length > 0) onItems(rest);
  Object.assign(fastPathStats, saved);
}
