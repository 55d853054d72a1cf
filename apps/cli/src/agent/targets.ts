// The agent's targets: Prometheus file_sd groups and --target URLs turned into URLs with labels, and sharding.
import { createHash } from "node:crypto";

/** One process to scrape. */
export interface Target {
  /** The URL scraped; unique among targets (the target's identity). */
  url: string;
  /** `host:port`, as Prometheus's `__address__` (what sharding hashes). */
  address: string;
  /** Labels on every metric and finding of this target: `instance` plus the group's labels. */
  labels: Record<string, string>;
  /** Host header to send (per group `__host_header__`, else the agent's --host-header). */
  hostHeader?: string;
  /** True when the URL asks for debug=1 (counts and groups, no states or waits). */
  debug1: boolean;
}

export interface TargetDefaults {
  /** Path and query scraped when a group does not set `__metrics_path__`. */
  path: string;
  hostHeader?: string;
}

export const DEFAULT_PATH = "/debug/pprof/goroutine?debug=2";

/** Label names the agent's own metrics use: a target label with one of these names is renamed `target_<name>`. */
const OWN_LABELS = new Set(["severity", "group", "function", "state", "reason", "le", "quantile"]);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):\d{1,5}$/;

export class TargetsError extends Error {}

function isDebug1(url: URL): boolean {
  return url.searchParams.get("debug") === "1";
}

function publicLabels(raw: Record<string, string>, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith("__")) continue; // meta labels, as in Prometheus
    if (!LABEL_NAME.test(k)) throw new TargetsError(`${where}: "${k}" is not a valid label name`);
    if (typeof v !== "string") throw new TargetsError(`${where}: label "${k}" must be a string`);
    out[OWN_LABELS.has(k) ? `target_${k}` : k] = v;
  }
  return out;
}

/** Targets of a file_sd file's JSON text. Errors name the file and the group. */
export function parseFileSd(text: string, file: string, d: TargetDefaults): Target[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TargetsError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(raw))
    throw new TargetsError(`${file}: expected a JSON array of {"targets": [...], "labels": {...}} groups`);
  const out: Target[] = [];
  raw.forEach((g: unknown, i) => {
    const where = `${file}: group ${i + 1}`;
    if (typeof g !== "object" || g === null) throw new TargetsError(`${where}: not an object`);
    const { targets, labels = {} } = g as { targets?: unknown; labels?: unknown };
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== "string"))
      throw new TargetsError(`${where}: "targets" must be an array of "host:port" strings`);
    if (typeof labels !== "object" || labels === null || Array.isArray(labels))
      throw new TargetsError(`${where}: "labels" must be an object of strings`);
    const l = labels as Record<string, string>;
    const scheme = l.__scheme__ ?? "http";
    if (scheme !== "http" && scheme !== "https")
      throw new TargetsError(`${where}: __scheme__ must be http or https, not "${scheme}"`);
    let path = l.__metrics_path__ ?? d.path;
    if (!path.startsWith("/")) throw new TargetsError(`${where}: __metrics_path__ must start with "/"`);
    // `__param_debug` as Prometheus's `__param_<name>`: debug=1 for services where debug=2 is too heavy.
    if (l.__param_debug !== undefined) {
      if (!/^[012]$/.test(l.__param_debug))
        throw new TargetsError(`${where}: __param_debug must be 0, 1 or 2`);
      const u = new URL(path, "http://x");
      u.searchParams.set("debug", l.__param_debug);
      path = u.pathname + u.search;
    }
    for (const t of targets as string[]) {
      if (!ADDRESS.test(t)) throw new TargetsError(`${where}: "${t}" is not host:port`);
      const url = new URL(`${scheme}://${t}${path}`);
      const target: Target = {
        url: url.href,
        address: t,
        labels: { instance: t, ...publicLabels(l, where) },
        debug1: isDebug1(url),
      };
      const host = l.__host_header__ ?? d.hostHeader;
      if (host) target.hostHeader = host;
      out.push(target);
    }
  });
  return out;
}

/** A --target URL (a bare host:port gets the default path). */
export function parseTargetUrl(arg: string, d: TargetDefaults): Target {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) && !/^https?:\/\//i.test(arg))
    throw new TargetsError(`--target ${arg}: only http and https URLs are scraped`);
  if (!/^https?:\/\//i.test(arg) && !ADDRESS.test(arg))
    throw new TargetsError(`--target ${arg}: not a URL or host:port`);
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(arg) ? arg : `http://${arg}${d.path}`);
  } catch {
    throw new TargetsError(`--target ${arg}: not a URL or host:port`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TargetsError(`--target ${arg}: only http and https URLs are scraped`);
  if (url.pathname === "/" && url.search === "") url = new URL(d.path, url);
  const target: Target = {
    url: url.href,
    address: url.host,
    labels: { instance: url.host },
    debug1: isDebug1(url),
  };
  if (d.hostHeader) target.hostHeader = d.hostHeader;
  return target;
}

/** Drops later duplicates of a URL (the first group that names a target wins, as its labels are ambiguous). */
export function dedupe(targets: Target[]): { targets: Target[]; duplicates: string[] } {
  const seen = new Set<string>();
  const out: Target[] = [];
  const duplicates: string[] = [];
  for (const t of targets) {
    if (seen.has(t.url)) duplicates.push(t.url);
    else {
      seen.add(t.url);
      out.push(t);
    }
  }
  return { targets: out, duplicates };
}

/**
 * Prometheus's hashmod relabeling: the MD5 of the value, its last 8 bytes as a big-endian unsigned integer,
 * modulo `modulus`. Applied to `__address__`, agent i of n keeps what this Prometheus config keeps:
 * `{source_labels: [__address__], modulus: n, target_label: __tmp_hash, action: hashmod}` then
 * `{source_labels: [__tmp_hash], regex: i, action: keep}`.
 */
export function hashmod(value: string, modulus: number): number {
  const sum = createHash("md5").update(value).digest();
  return Number(sum.readBigUInt64BE(8) % BigInt(modulus));
}

export interface Shard {
  index: number;
  count: number;
}

/** `i/n` with 0 <= i < n. */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count)
    throw new TargetsError(`--shard ${s}: expected i/n with 0 <= i < n, e.g. 0/3`);
  return { index, count };
}

export function inShard(t: Target, shard: Shard | undefined): boolean {
  return shard === undefined || shard.count === 1 || hashmod(t.address, shard.count) === shard.index;
}
