// Runs the built `gosleuth agent` on loopback for the end-to-end tests, and reads what it serves.
import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { CLI } from "./helpers.ts";

export interface RunningAgent {
  url: string;
  child: ChildProcess;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<number | null>;
}

export async function startAgent(args: string[]): Promise<RunningAgent> {
  const child = spawn(process.execPath, [CLI, "agent", "--listen", "127.0.0.1:0", ...args], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stdout!.resume();
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`agent did not start:\n${err}`)), 20_000);
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.on("exit", (code) => fail(new Error(`agent exited with ${code}:\n${err}`)));
  });
  return {
    url,
    child,
    log: () => err,
    stop: () =>
      new Promise((ok) => {
        if (child.exitCode !== null) return ok(child.exitCode);
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", (code) => {
          clearTimeout(t);
          ok(code);
        });
        child.kill("SIGTERM");
      }),
  };
}

/** A GET with raw control over the path and headers (fetch normalizes both). */
export function get(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, headers, timeout: 15_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d));
      res.on("end", () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", fail);
    req.on("timeout", () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.end();
  });
}

/** Polls until `check` returns a value (not undefined), or fails after `ms` with the last state. */
export async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Value of the first series in Prometheus text whose labels include `labels`, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const m = /^[^{]+\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const got: Record<string, string> = {};
    for (const p of m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[p[1]!] = p[2]!;
    if (Object.keys(labels).every((k) => got[k] === labels[k])) return Number(m[2]);
  }
  return undefined;
}
