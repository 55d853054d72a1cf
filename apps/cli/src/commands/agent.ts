// `gosleuth agent`: scrapes many services' goroutine dumps on a schedule and serves what it finds to Prometheus.
import { escapeControl } from "@gosleuth/text";
import { Agent } from "../agent/agent.ts";
import { AgentMetrics } from "../agent/metrics.ts";
import { isLoopback, startAgentServer } from "../agent/server.ts";
import { DEFAULT_PATH, parseShard, TargetsError } from "../agent/targets.ts";
import { CliError } from "../errors.ts";
import { loadSettings } from "./leaks.ts";

export interface AgentCommandOptions {
  targets?: string;
  target: string[];
  every: number;
  listen: string;
  shard?: string;
  keep?: string;
  keepMax: number;
  keepFor: number;
  timeout: number;
  maxBytes: number;
  hostHeader?: string;
  debug: "1" | "2";
  concurrency: number;
  window: number;
  top: number;
  maxBackoff: number;
  reload: number;
  config?: string;
}

/** `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`. */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(s.trim());
  const port = Number(m?.[2]);
  if (!m || port > 65535)
    throw new CliError(
      `--listen ${s}: expected host:port, e.g. 127.0.0.1:9464 (0.0.0.0:9464 for every interface)`,
    );
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

export async function agentCommand(o: AgentCommandOptions): Promise<void> {
  if (!o.targets && o.target.length === 0)
    throw new CliError("agent needs --targets FILE (Prometheus file_sd JSON) or at least one --target URL");
  const listen = parseListen(o.listen);
  if (o.every < 100) throw new CliError("--every must be at least 100ms");
  if (o.timeout < 1) throw new CliError("--timeout must be more than 0");
  if (o.concurrency < 1) throw new CliError("--concurrency must be at least 1");
  if (o.window < 1 || o.window > 1000) throw new CliError("--window must be from 1 to 1000 snapshots");
  if (o.top > 1000) throw new CliError("--top must be at most 1000 (each group is a series per target)");
  const settings = loadSettings(o.config);
  const log = (line: string) =>
    process.stderr.write(`${new Date().toISOString()} gosleuth agent: ${escapeControl(line)}\n`);
  let agent: Agent;
  try {
    agent = new Agent({
      ...(o.targets && { targetsFile: o.targets }),
      targetUrls: o.target,
      defaults: {
        path: o.debug === "1" ? DEFAULT_PATH.replace("debug=2", "debug=1") : DEFAULT_PATH,
        ...(o.hostHeader && { hostHeader: o.hostHeader }),
      },
      every: o.every,
      timeoutMs: o.timeout,
      maxBytes: o.maxBytes,
      concurrency: o.concurrency,
      window: o.window,
      maxBackoffMs: o.maxBackoff,
      ...(o.shard && { shard: parseShard(o.shard) }),
      ...(o.keep && { keep: { dir: o.keep, maxFiles: o.keepMax, maxAgeMs: o.keepFor } }),
      ...(settings && { settings }),
      reloadMs: o.reload,
      log,
    });
    agent.start();
  } catch (e) {
    if (e instanceof TargetsError) throw new CliError(e.message);
    throw e;
  }
  const metrics = new AgentMetrics(agent, o.top);
  let server: Awaited<ReturnType<typeof startAgentServer>>;
  try {
    server = await startAgentServer(agent, metrics, listen);
  } catch (e) {
    await agent.stop();
    const err = e as NodeJS.ErrnoException;
    throw new CliError(
      err.code === "EADDRINUSE"
        ? `--listen ${o.listen}: the port is in use`
        : `--listen ${o.listen}: ${err.message}`,
    );
  }
  log(`listening on ${server.url} (/metrics, /api/v1/findings, /)`);
  if (!isLoopback(listen.host))
    log(
      `listening on ${listen.host}, reachable from other machines: findings and dumps of the targets are visible to them`,
    );
  await new Promise<void>((ok) => {
    const stop = () => {
      log("stopping");
      void Promise.all([server.close(), agent.stop()]).then(() => ok());
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    process.on("SIGHUP", () => agent.reload());
  });
}
