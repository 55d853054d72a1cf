// `gosleuth`: goroutine dump forensics from a terminal or a pipeline. The entry point: the program, its
// commands (each defined in commands/<name>.register.ts) and the run.
import { Command } from "commander";
import { registerAgent } from "./commands/agent.register.ts";
import { registerDiff } from "./commands/diff.register.ts";
import { registerFetch } from "./commands/fetch.register.ts";
import { registerLeaks } from "./commands/leaks.register.ts";
import { registerParse } from "./commands/parse.register.ts";
import { registerStacks } from "./commands/stacks.register.ts";
import { registerSummary } from "./commands/summary.register.ts";
import { registerTree } from "./commands/tree.register.ts";
import { registerView } from "./commands/view.register.ts";
import { registerWatch } from "./commands/watch.register.ts";
import { run } from "./run.ts";

// Set by build.mjs from the published package's package.json.
declare const __GOSLEUTH_VERSION__: string | undefined;
// Set by build.mjs: the bundle is only ever run as the program.
declare const __GOSLEUTH_BUNDLED__: boolean | undefined;
const VERSION = typeof __GOSLEUTH_VERSION__ === "string" ? __GOSLEUTH_VERSION__ : "0.0.0-dev";

export const program = new Command()
  .name("gosleuth")
  // Commander's own errors (unknown command or option, missing or invalid value) are thrown, not printed and
  // exited with 1: run() prints them as one line and exits 2, the code for a usage error. Subcommands made
  // below inherit both settings.
  .exitOverride()
  // writeErr carries only errors and the help commander shows as one (`gosleuth help bogus`, no command).
  .configureOutput({ outputError: () => {}, writeErr: () => {} })
  .description(
    "Goroutine dump forensics: what every goroutine is doing, who spawned whom, and what is leaking.\n" +
      "Reads debug=2/debug=1/debug=0 pprof output, panics, SIGQUIT dumps, fatal errors and race reports.",
  )
  .version(VERSION)
  // Read by format.ts from argv; declared here so every command accepts it and --help lists it.
  .option("--no-color", "no colour or bold (also NO_COLOR=1; FORCE_COLOR=1 keeps them in a pipe)")
  .addHelpText(
    "after",
    `
Examples:
  gosleuth summary dump.txt
  curl -s localhost:6060/debug/pprof/goroutine?debug=2 | gosleuth summary -
  gosleuth tree dump.txt --depth 3
  gosleuth leaks dump.txt --format md --fail-on high
  gosleuth view dump.txt

Exit codes: 0 ok, 1 an incident reached --fail-on, 2 bad usage or input.
Set GOSLEUTH_DEBUG=1 to get a stack trace for an internal error.`,
  );

// Commands in the order --help lists them; each imports its code only when run (a chunk of its own in the
// bundle), so start-up loads only what the command needs.
registerSummary(program);
registerParse(program);
registerTree(program);
registerStacks(program);
registerLeaks(program);
registerDiff(program);
registerFetch(program);
registerWatch(program);
registerView(program);
registerAgent(program);

/** True when this module is the program being run (not imported by a test that reads the command tree). */
async function isEntry(): Promise<boolean> {
  if (typeof __GOSLEUTH_BUNDLED__ === "boolean") return __GOSLEUTH_BUNDLED__;
  const script = process.argv[1];
  if (!script) return false;
  // Imported here (never in the bundle): a top-level ESM import of node:fs also loads node:fs/promises,
  // which every start would pay for.
  const [{ realpathSync }, { fileURLToPath }] = await Promise.all([import("node:fs"), import("node:url")]);
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (await isEntry()) {
  await run(program, process.argv);
  // Everything is written (stdout flushed below): leave now rather than wait for the heap's and any
  // worker thread's teardown, which takes a noticeable while after a big parse.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  collectBeforeExit();
  process.exit();
}

/**
 * A full collection on this thread just before `process.exit`. Node 20 can deadlock at exit (nodejs/node
 * issue 54918): `process.exit` joins V8's background threads, and a concurrent compile job that needs room
 * in the heap waits there for a collection only this thread can make. `tree --threads 2` on a 1.6 MB dump
 * cut into 4 KB ranges hung at exit in about 1% of runs (3 of 300 on the build before this session's
 * changes, 5 of 200 on this one, stack in `CollectionBarrier::AwaitCollectionBackground` while the main
 * thread joined in `NodePlatform::Shutdown`); after this collection none of 1,100 did (2026-12-02). Leaving
 * without `process.exit` hung too (9 of 400, in `NodePlatform::DrainTasks`). It costs one full collection:
 * no difference measured on the 216k dump (×4 paired) or the 1.5 GB one.
 */
function collectBeforeExit(): void {
  const v8 = process.getBuiltinModule("node:v8") as typeof import("node:v8");
  const vm = process.getBuiltinModule("node:vm") as typeof import("node:vm");
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}
