// `gosleuth agent`: arguments, options and help; the action imports ./agent.ts when the command runs.
import { type Command, Option } from "commander";
import { byteSize, durationMs, hostHeader, nonNegativeInt } from "../options.ts";

export function registerAgent(program: Command): void {
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
    .addOption(
      new Option("--every <duration>", "scrape interval").default(30_000, "30s").argParser(durationMs),
    )
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
    .addOption(
      new Option("--keep-max <n>", "snapshots kept in --keep at most").default(100).argParser(nonNegativeInt),
    )
    .addOption(
      new Option("--keep-for <duration>", "remove kept snapshots older than this")
        .default(14 * 86_400_000, "14d")
        .argParser(durationMs),
    )
    .addOption(
      new Option("--timeout <duration>", "give up on one scrape after this long")
        .default(10_000, "10s")
        .argParser(durationMs),
    )
    .addOption(
      new Option("--max-bytes <size>", "stop reading a dump larger than this")
        .default(256 * 1024 ** 2, "256MB")
        .argParser(byteSize),
    )
    .addOption(
      new Option("--host-header <host>", "send this Host header to the targets").argParser(hostHeader),
    )
    .addOption(
      new Option("--debug <n>", "default pprof form: 2 (stacks, states, waits) or 1 (counts only, lighter)")
        .choices(["1", "2"])
        .default("2"),
    )
    .addOption(
      new Option("--concurrency <n>", "scrapes in flight at most").default(8).argParser(nonNegativeInt),
    )
    .addOption(
      new Option("--window <n>", "snapshots per target in the growth analysis")
        .default(10)
        .argParser(nonNegativeInt),
    )
    .addOption(
      new Option("--top <n>", "per-group series for each target's largest groups")
        .default(10)
        .argParser(nonNegativeInt),
    )
    .addOption(
      new Option("--max-backoff <duration>", "longest wait between scrapes of a failing target")
        .default(300_000, "5m")
        .argParser(durationMs),
    )
    .addOption(
      new Option("--reload <duration>", "how often the targets file is checked for changes")
        .default(2000, "2s")
        .argParser(durationMs),
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
      await (await import("./agent.ts")).agentCommand(o);
    });
}
