// `gosleuth`: goroutine dump forensics from a terminal or a pipeline (entry point and command definitions).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { escapeControl } from "@gosleuth/text";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { CliError } from "./errors.ts";
import { parseDuration, parseSize } from "./format.ts";
import { DEFAULT_FETCH, type FetchOptions, isUrl } from "./input.ts";

// Set by build.mjs from the published package's package.json.
declare const __GOSLEUTH_VERSION__: string | undefined;
const VERSION = typeof __GOSLEUTH_VERSION__ === "string" ? __GOSLEUTH_VERSION__ : "0.0.0-dev";

// Commands are imported when run, so start-up loads only what the command needs.
const INPUT_HELP = "a dump file (.gz is read transparently), - for stdin, or an http(s) URL";

function duration(v: string): number {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
function size(v: string): number {
  try {
    return parseSize(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
function hostHeader(v: string): string {
  if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/.test(v))
    throw new InvalidArgumentError(`not a host or host:port: "${v}"`);
  return v;
}
function pathMap(v: string, previous: { from: string; to: string }[] = []): { from: string; to: string }[] {
  const i = v.indexOf("=");
  if (i <= 0) throw new InvalidArgumentError(`expected FROM=TO (TO may be empty), got "${v}"`);
  return [...previous, { from: v.slice(0, i), to: v.slice(i + 1) }];
}
function sarifCategory(v: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?$/.test(v))
    throw new InvalidArgumentError(`not a category: "${v}" (letters, digits, . _ - and / between words)`);
  return v;
}
function modulePath(v: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._~/-]*$/.test(v) || v.endsWith("/"))
    throw new InvalidArgumentError(`not a Go module path: "${v}" (e.g. github.com/acme/shop)`);
  return v;
}
function int(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new InvalidArgumentError(`not a non-negative integer: "${v}"`);
  return x;
}

const THREADS_HELP =
  "parsing threads for a big plain-text dump file: a number, or auto (the cores, at most 4, for files of 64 MB and more)";
const THREADS_NOTE = `A dump file of 64 MB or more is cut at goroutine boundaries and parsed on several threads; the result
is the same as on one thread (--threads 1). Standard input, URLs, .gz files and debug=1/debug=0
profiles are parsed on one thread.`;

/** Options every command that reads a URL accepts. */
function withFetch(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--timeout <duration>", "give up on a URL after this long")
        .default(30_000, "30s")
        .argParser(duration),
    )
    .addOption(
      new Option("--max-bytes <size>", "refuse bodies (and decompressed dumps) larger than this")
        .default(1024 ** 3, "1GB")
        .argParser(size),
    )
    .addOption(
      new Option(
        "--host-header <host>",
        "send this Host header with URL requests (e.g. localhost:2019)",
      ).argParser(hostHeader),
    );
}

function fetchOpts(o: { timeout?: number; maxBytes?: number; hostHeader?: string }): FetchOptions {
  const f: FetchOptions = {
    timeoutMs: o.timeout ?? DEFAULT_FETCH.timeoutMs,
    maxBytes: o.maxBytes ?? DEFAULT_FETCH.maxBytes,
  };
  if (o.hostHeader) f.hostHeader = o.hostHeader;
  return f;
}

export const program = new Command()
  .name("gosleuth")
  // Commander's own errors (unknown command or option, missing or invalid value) are thrown, not printed and
  // exited with 1: main() prints them as one line and exits 2, the code for a usage error. Subcommands made
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

Exit codes: 0 ok, 1 a finding reached --fail-on, 2 bad usage or input.
Set GOSLEUTH_DEBUG=1 to get a stack trace for an internal error.`,
  );

withFetch(
  program
    .command("summary")
    .description("format, counts per state, longest waits, top creators, spawn view and diagnostics")
    .argument("<input>", INPUT_HELP)
    .option("--json", "print one JSON object (format, goroutines, frames, states, diagnostics, bytes, ...)")
    .option("--threads <n>", THREADS_HELP, "auto")
    .addHelpText(
      "after",
      `
${THREADS_NOTE}

Examples:
  gosleuth summary goroutines.txt
  gosleuth summary dump.txt.gz --json | jq .states
  gosleuth summary http://localhost:6060/debug/pprof/goroutine?debug=2`,
    ),
).action(async (input: string, o) => {
  await (await import("./commands/summary.ts")).summary(input, o, fetchOpts(o));
});

withFetch(
  program
    .command("parse")
    .description("stream the parsed model: one JSON object per goroutine (NDJSON)")
    .argument("<input>", INPUT_HELP)
    .option("--ndjson", "newline-delimited JSON (the only output format; accepted for clarity)", true)
    .addHelpText(
      "after",
      `
Each line: {"id", "state", "stateClass", "waitMinutes", "frames": [{"function","file","line"}],
"createdBy": {"function","file","line","parentId"} | null, "lines": {"start","end"}}.
debug=1 inputs give one object per group ({"kind":"group","count",...}).

Examples:
  gosleuth parse dump.txt --ndjson | head -3
  gosleuth parse dump.txt --ndjson | jq -r 'select(.waitMinutes > 10) | .id'`,
    ),
).action(async (input: string, o) => {
  await (await import("./commands/parse.ts")).parseCommand(input, fetchOpts(o));
});

withFetch(
  program
    .command("tree")
    .description("the spawn tree: aggregated by signature (default) or per goroutine")
    .argument("<input>", INPUT_HELP)
    .option(
      "--json",
      'print {"nodes": [...]} (id, parent, count, function, creator, state, waitMinutes, sampleIds)',
    )
    .option("--text", "print a tree(1)-style outline (default)")
    .option("--dot", "print Graphviz dot")
    .option("--root <id>", "start at this node (aggregated) or goroutine id (--per-goroutine)")
    .addOption(new Option("--depth <n>", "levels to print").argParser(int))
    .addOption(new Option("--min-count <n>", "hide aggregated nodes with fewer goroutines").argParser(int))
    .option(
      "--per-goroutine",
      "one node per goroutine instead of aggregated groups (use --root for big dumps)",
    )
    .option("--threads <n>", `${THREADS_HELP} (aggregated tree)`, "auto")
    .addHelpText(
      "after",
      `
${THREADS_NOTE}

Examples:
  gosleuth tree dump.txt --depth 3 --min-count 10
  gosleuth tree dump.txt --per-goroutine --root 21 --depth 2
  gosleuth tree dump.txt --dot | dot -Tsvg > tree.svg`,
    ),
).action(async (input: string, o) => {
  await (await import("./commands/tree.ts")).treeCommand(input, o, fetchOpts(o));
});

withFetch(
  program
    .command("stacks")
    .description("goroutines grouped by stack, the crash first, data races shown")
    .argument("<input>", INPUT_HELP)
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["text", "md", "json", "html"])
        .default("text"),
    )
    .addOption(
      new Option(
        "--similarity <level>",
        "how alike arguments must be to share a group: exact, pointers (addresses may differ), any",
      )
        .choices(["exact", "pointers", "any"])
        .default("pointers"),
    )
    .option(
      "--match <re>",
      "keep groups with a frame or creator (function file:line) matching this regular expression",
    )
    .option("--filter <expr>", "the viewer's filter language, e.g. 'state:chan wait:>10 created:serveConn'")
    .addOption(
      new Option(
        "--sort <key>",
        "group order: count (largest first), wait (longest first), id (oldest first)",
      )
        .choices(["count", "wait", "id"])
        .default("count"),
    )
    .addOption(
      new Option(
        "--limit <n>",
        "show at most this many groups, 0 for all (default: 100; all with --format json)",
      ).argParser(int),
    )
    .option("--threads <n>", THREADS_HELP, "auto")
    .addHelpText(
      "after",
      `
Each group: count, state(s), wait range, locked to thread, (leaked), labels, goroutine ids, every frame as
package  file.go:line  Function(args) (own code bold, dependencies in cyan, the standard library dim, on a
terminal; NO_COLOR and FORCE_COLOR are honoured), and its creator. Argument positions that differ within a
group print as *; a pointer value that several goroutines hold is named #1, #2... everywhere it appears.
A panic, fatal error or signal is shown first with the goroutine that crashed; race reports list each race.

${THREADS_NOTE}

Examples:
  gosleuth stacks crash.txt
  gosleuth stacks dump.txt --filter 'state:chan wait:>10' --limit 5
  gosleuth stacks dump.txt --match 'myapp/' --similarity any
  gosleuth stacks dump.txt --format html > stacks.html   # one page for an incident ticket
  gosleuth stacks dump.txt --format json | jq '.groups[0]'`,
    ),
).action(async (input: string, o) => {
  await (await import("./commands/stacks.ts")).stacksCommand(input, o, fetchOpts(o));
});

withFetch(
  program
    .command("leaks")
    .description("rank leak suspects with reasons; several inputs are snapshots in time order")
    .argument("<inputs...>", `${INPUT_HELP} (several: snapshots of one process, oldest first)`)
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["text", "md", "json", "sarif"])
        .default("text"),
    )
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a finding has this severity or worse").choices([
        "high",
        "medium",
        "low",
      ]),
    )
    .option("--config <file>", "settings file (default: ./gosleuth.config.json when present)")
    .addOption(
      new Option("--every <duration>", "with one URL: poll it at this interval and report growth").argParser(
        duration,
      ),
    )
    .addOption(
      new Option("--count <n>", "with --every: number of fetches to make, failed ones included")
        .default(6)
        .argParser(int),
    )
    .addOption(
      new Option(
        "--interval <duration>",
        "several files: the time between snapshots when the files' times cannot tell (default: one minute, said to be assumed)",
      ).argParser(duration),
    )
    .option("--threads <n>", `${THREADS_HELP} (one input)`, "auto")
    .addOption(
      new Option(
        "--path-map <from=to>",
        "SARIF: rewrite dump paths that start with FROM to start with TO, a path in the repository (repeatable; TO may be empty)",
      ).argParser(pathMap),
    )
    .addOption(
      new Option(
        "--sarif-category <id>",
        "SARIF: automationDetails.id, which code scanning uses as the category (upload-sarif's category: does not replace it); one per service or job",
      )
        .default("gosleuth/leaks", "gosleuth/leaks")
        .argParser(sarifCategory),
    )
    .addOption(
      new Option(
        "--module <path>",
        "SARIF: the Go module path; its files are the repository's (default: ./go.mod's module, its folder in the repository)",
      ).argParser(modulePath),
    )
    .addHelpText(
      "after",
      `
${THREADS_NOTE}

SARIF places each result at the nearest frame in the repository's own code (the module's files, or
paths --path-map rewrites), else at the blocking frame with a message that says so; frames outside
the repository are related information. gosleuth.config.json may hold the same under "sarif":
{ "sarif": { "pathMap": { "leakybank/": "services/leakybank/" }, "module": "github.com/acme/shop" } }.

Examples:
  gosleuth leaks dump.txt
  gosleuth leaks t0.txt t1.txt t2.txt --format md > leaks.md
  gosleuth leaks dump.txt --format sarif --path-map /build/src/= > gosleuth.sarif  # code scanning
  gosleuth leaks http://localhost:6060/debug/pprof/goroutine?debug=2 --every 30s --count 6
  gosleuth leaks dump.txt --format json --fail-on high       # CI gate`,
    ),
).action(async (inputs: string[], o) => {
  process.exitCode = await (await import("./commands/leaks.ts")).leaksCommand(inputs, o, fetchOpts(o));
});

withFetch(
  program
    .command("diff")
    .description("compare two snapshots: groups new, gone, grown and shrunk")
    .argument("<before>", INPUT_HELP)
    .argument("<after>", INPUT_HELP)
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "md", "json"]).default("text"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  gosleuth diff before.txt after.txt\n  gosleuth diff before.txt after.txt --format md",
    ),
).action(async (before: string, after: string, o) => {
  await (await import("./commands/diff.ts")).diffCommand(before, after, o, fetchOpts(o));
});

withFetch(
  program
    .command("fetch")
    .description("download a goroutine dump (or a series of them) from a pprof endpoint")
    .argument(
      "<url>",
      "a /debug/pprof/goroutine URL (debug=0/1/2, seconds=N, goroutineleak) or the /debug/pprof/ index",
    )
    .option(
      "--out <file>",
      "write here (with --count > 1: a pattern; {n} is replaced by the snapshot number)",
    )
    .addOption(new Option("--every <duration>", "take a snapshot at this interval").argParser(duration))
    .addOption(
      new Option("--count <n>", "with --every: number of fetches to make, failed ones included")
        .default(1)
        .argParser(int),
    )
    .addHelpText(
      "after",
      `
Examples:
  gosleuth fetch 'http://localhost:6060/debug/pprof/goroutine?debug=2' --out dump.txt
  gosleuth fetch 'http://localhost:2019/debug/pprof/goroutine?debug=2' --every 30s --count 6 --out snap-{n}.txt
  gosleuth fetch http://localhost:6060/debug/pprof/     # prints the profile counts of the index page`,
    ),
).action(async (url: string, o) => {
  if (!isUrl(url))
    throw new CliError(
      `fetch takes an http(s) URL, not a file: "${url}" (a file is already fetched: pass it to the other commands)`,
    );
  await (await import("./commands/fetch.ts")).fetchCommand(url, o, fetchOpts(o));
});

withFetch(
  program
    .command("watch")
    .description("live terminal view of the top goroutine groups and their growth; ends with a leak report")
    .argument("<url>", "a /debug/pprof/goroutine?debug=2 URL")
    .addOption(
      new Option("--every <duration>", "refresh interval").default(10_000, "10s").argParser(duration),
    )
    .addOption(
      new Option("--count <n>", "stop after this many fetches, failed ones included (0: until Ctrl-C)")
        .default(0)
        .argParser(int),
    )
    .option("--config <file>", "settings file (default: ./gosleuth.config.json when present)")
    .addHelpText(
      "after",
      `
A failed fetch (the service restarting, out of memory) is a gap, not the end: watch tries again, waiting
twice as long after each failure in a row (up to a minute), and says so at the top. Ctrl-C stops and prints
the leak report of the snapshots collected; a second Ctrl-C ends at once. "change" is since the previous
snapshot, "per min" the average over the snapshots kept (the last 30).

Examples:
  gosleuth watch 'http://localhost:2019/debug/pprof/goroutine?debug=2' --every 5s
  gosleuth watch 'http://127.0.0.1:2019/debug/pprof/goroutine?debug=2' --host-header localhost:2019`,
    ),
).action(async (url: string, o) => {
  await (await import("./commands/watch.ts")).watchCommand(url, o, fetchOpts(o));
});

program
  .command("view")
  .description("open the viewer on a dump: serves the web app and the dump on loopback")
  .argument("<input>", "a dump file (.gz too); not - or a URL: save those to a file first")
  .addOption(new Option("--port <n>", "port (0: any free port)").default(0).argParser(int))
  .option("--host <host>", "address to bind (another than loopback only when you mean it)", "127.0.0.1")
  .option("--no-open", "do not open a browser")
  .addHelpText(
    "after",
    `
The address printed carries a token made for this run: the dump is served only at that address, only to
a request that names the server by a loopback name (or --host) and is not sent from another site's page.

Examples:
  gosleuth view dump.txt
  gosleuth view dump.txt.gz --port 8080 --no-open`,
  )
  .action(async (input: string, o) => {
    if (input === "-" || isUrl(input))
      throw new CliError(
        `view serves a dump file, not ${input === "-" ? "standard input" : "a URL"}: save it first (gosleuth fetch URL --out dump.txt, or > dump.txt)`,
      );
    await (await import("./commands/view.ts")).viewCommand(input, o);
  });

program
  .command("agent")
  .description("scrape many services' goroutine dumps on a schedule and serve leak metrics to Prometheus")
  .option(
    "--targets <file>",
    'Prometheus file_sd JSON: [{"targets": ["host:port"], "labels": {...}}] (re-read on change)',
  )
  .addOption(
    new Option("--target <url>", "a target URL or host:port (repeatable)")
      .argParser((v, p: string[] = []) => [...p, v])
      .default([]),
  )
  .addOption(new Option("--every <duration>", "scrape interval").default(30_000, "30s").argParser(duration))
  .option(
    "--listen <host:port>",
    "address of /metrics, /api/v1/findings and / (loopback unless you mean it)",
    "127.0.0.1:9464",
  )
  .option(
    "--shard <i/n>",
    "scrape only the targets whose hashmod of host:port is i (as Prometheus's hashmod)",
  )
  .option("--keep <dir>", "save the snapshot that first raised a high finding of a target, with its report")
  .addOption(new Option("--keep-max <n>", "snapshots kept in --keep at most").default(100).argParser(int))
  .addOption(
    new Option("--keep-for <duration>", "remove kept snapshots older than this")
      .default(14 * 86_400_000, "14d")
      .argParser(duration),
  )
  .addOption(
    new Option("--timeout <duration>", "give up on one scrape after this long")
      .default(10_000, "10s")
      .argParser(duration),
  )
  .addOption(
    new Option("--max-bytes <size>", "stop reading a dump larger than this")
      .default(256 * 1024 ** 2, "256MB")
      .argParser(size),
  )
  .addOption(new Option("--host-header <host>", "send this Host header to the targets").argParser(hostHeader))
  .addOption(
    new Option("--debug <n>", "default pprof form: 2 (stacks, states, waits) or 1 (counts only, lighter)")
      .choices(["1", "2"])
      .default("2"),
  )
  .addOption(new Option("--concurrency <n>", "scrapes in flight at most").default(8).argParser(int))
  .addOption(
    new Option("--window <n>", "snapshots per target in the growth analysis").default(10).argParser(int),
  )
  .addOption(
    new Option("--top <n>", "per-group series for each target's largest groups").default(10).argParser(int),
  )
  .addOption(
    new Option("--max-backoff <duration>", "longest wait between scrapes of a failing target")
      .default(300_000, "5m")
      .argParser(duration),
  )
  .addOption(
    new Option("--reload <duration>", "how often the targets file is checked for changes")
      .default(2000, "2s")
      .argParser(duration),
  )
  .option("--config <file>", "leak settings file (default: ./gosleuth.config.json when present)")
  .addHelpText(
    "after",
    `
Per-group labels in the targets file: __metrics_path__ (default /debug/pprof/goroutine?debug=2),
__param_debug (1 for services where debug=2 is too heavy), __scheme__, __host_header__.
Series per target: about 10 + --top (see apps/cli/prometheus/README.md).

Examples:
  gosleuth agent --targets targets.json --every 30s
  gosleuth agent --target http://localhost:6060/debug/pprof/goroutine?debug=2 --every 10s
  gosleuth agent --targets fleet.json --shard 0/3 --listen 0.0.0.0:9464 --keep /var/lib/gosleuth`,
  )
  .action(async (o) => {
    await (await import("./commands/agent.ts")).agentCommand(o);
  });

const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

/** A usage error as the one line a CI log shows: what was wrong and where the help is. */
function usageLine(e: CommanderError, argv: readonly string[]): string {
  if (e.code === "commander.help") {
    // Commander would print the whole help as the error: no command, or `help` of one that does not exist.
    const word = argv.slice(2).find((a) => !a.startsWith("-") && a !== "help");
    return word
      ? `gosleuth: unknown command '${escapeControl(word)}' (see gosleuth --help)`
      : "gosleuth: no command given (see gosleuth --help for the commands)";
  }
  const msg = e.message
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
  const sub = program.commands.find((c) => argv.includes(c.name()));
  return `gosleuth: ${escapeControl(msg)} (see gosleuth ${sub ? `${sub.name()} ` : ""}--help)`;
}

async function main(argv: string[]): Promise<void> {
  // `gosleuth ... | head`: a closed pipe ends the program quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  if (argv.length <= 2) {
    process.stderr.write("gosleuth: no command given (see gosleuth --help for the commands)\n");
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      if (e.exitCode !== 0) {
        process.stderr.write(`${usageLine(e, argv)}\n`);
        process.exitCode = 2;
      }
      return;
    }
    if (e instanceof CliError) {
      // Messages quote inputs (file names, URLs, dump text): control characters escaped, and one line.
      process.stderr.write(`gosleuth: ${escapeControl(e.message)}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    // A file that cannot be opened or written (`--out` into a missing folder, a read-only place) is the user's
    // input, not a bug in gosleuth.
    const sys = e as NodeJS.ErrnoException;
    if (sys.path && sys.code && FILE_ERRORS[sys.code]) {
      process.stderr.write(`gosleuth: ${escapeControl(sys.path)}: ${FILE_ERRORS[sys.code]}\n`);
      process.exitCode = 2;
      return;
    }
    if (process.env.GOSLEUTH_DEBUG) throw e;
    process.stderr.write(
      `gosleuth: internal error: ${(e as Error).message} (set GOSLEUTH_DEBUG=1 for a stack trace, and please report it)\n`,
    );
    process.exitCode = 70;
  }
}

/** True when this module is the program being run (not imported by a test that reads the command tree). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  await main(process.argv);
  // Everything is written (stdout flushed below): leave now rather than wait for the heap's and any
  // worker thread's teardown, which takes a noticeable while after a big parse.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit();
}
