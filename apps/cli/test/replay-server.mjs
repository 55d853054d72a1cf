// Replays recorded goroutine dumps (and faulty answers) on loopback, one port per target, for the agent's
// end-to-end test and load benchmark. Every answer is made by this file from the bundled fixtures: the
// faults (hang, HTML, 500, a cut body, a 2 GB body) are hand-made, as their names say.
// As a program: `node replay-server.mjs --targets-out FILE --count N [--leaky-every K]` serves N targets
// (every K-th one replays leakybank's snapshots in sequence, the others Caddy's idle dump), writes a
// file_sd JSON for them, prints `ready` and serves until SIGTERM.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../packages/fixtures");

export const LEAKYBANK = [60, 120, 180, 240, 300, 320].map((t) =>
  resolve(FIXTURES, `labeled/leakybank/leakybank-t${String(t).padStart(4, "0")}s-debug2.txt`),
);
export const LEAKYBANK_DEBUG1 = resolve(FIXTURES, "labeled/leakybank/leakybank-t0060s-debug1.txt");
export const CADDY = resolve(FIXTURES, "generated/servers/caddy-2.11-t0-debug2.txt");
export const CADDY_IDLE = resolve(FIXTURES, "generated/servers/caddy-2.11-idle-debug2.txt");

/**
 * @typedef {{ kind: "sequence", files: string[] }
 *   | { kind: "hang" } | { kind: "html" } | { kind: "status", code: number }
 *   | { kind: "truncated", file: string } | { kind: "huge", bytes: number } | { kind: "text", body: string }} Spec
 */

const cache = new Map();
function read(file) {
  let b = cache.get(file);
  if (!b) cache.set(file, (b = readFileSync(file)));
  return b;
}

/** Streams `total` bytes of goroutine blocks, respecting backpressure; stops when the client goes away. */
function streamHuge(res, total) {
  const block = Buffer.from(
    "goroutine 1 [chan receive]:\nmain.worker()\n\t/src/main.go:10 +0x1\ncreated by main.main in goroutine 1\n\t/src/main.go:5 +0x2\n\n".repeat(
      512,
    ),
  );
  let sent = 0;
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
  const pump = () => {
    while (sent < total && !res.destroyed) {
      sent += block.length;
      if (!res.write(block)) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/**
 * Starts one server per spec on 127.0.0.1 (each on its own port). `hits[i]` counts requests to target i.
 * @param {Spec[]} specs
 */
export async function startReplay(specs) {
  const servers = [];
  const hits = specs.map(() => 0);
  /** The last request of each target: path and Host header. */
  const last = specs.map(() => null);
  const hanging = new Set();
  for (const [i, spec] of specs.entries()) {
    let n = 0;
    const server = createServer((req, res) => {
      hits[i]++;
      last[i] = { path: req.url, host: req.headers.host };
      if (spec.kind === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      if (spec.kind === "html") {
        res
          .writeHead(200, { "content-type": "text/html" })
          .end("<!doctype html><html><body><h1>Login</h1></body></html>\n");
        return;
      }
      if (spec.kind === "status") {
        res.writeHead(spec.code, { "content-type": "text/plain" }).end("internal error\n");
        return;
      }
      if (spec.kind === "truncated") {
        // Declares the whole dump and sends 40% of it, then closes the connection.
        const b = read(spec.file);
        res.writeHead(200, { "content-type": "text/plain", "content-length": String(b.length) });
        res.write(b.subarray(0, Math.floor(b.length * 0.4)), () => res.destroy());
        return;
      }
      if (spec.kind === "huge") return streamHuge(res, spec.bytes);
      if (spec.kind === "text") {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(spec.body);
        return;
      }
      const file = spec.files[Math.min(n, spec.files.length - 1)];
      n++;
      const b = read(file);
      res
        .writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": String(b.length) })
        .end(b);
    });
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    servers.push(server);
  }
  return {
    ports: servers.map((s) => s.address().port),
    hits,
    last,
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise((ok) => {
              for (const r of hanging) r.destroy();
              s.close(() => ok());
              s.closeAllConnections();
            }),
        ),
      ),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? def : process.argv[i + 1];
  };
  const count = Number(arg("--count", "500"));
  const leakyEvery = Number(arg("--leaky-every", "10"));
  const out = arg("--targets-out");
  const specs = Array.from({ length: count }, (_, i) =>
    i % leakyEvery === 0 ? { kind: "sequence", files: LEAKYBANK } : { kind: "sequence", files: [CADDY_IDLE] },
  );
  const r = await startReplay(specs);
  const groups = r.ports.map((p, i) => ({
    targets: [`127.0.0.1:${p}`],
    labels: { job: "replay", service: specs[i].files.length > 1 ? "leakybank" : "caddy-idle" },
  }));
  if (out) writeFileSync(out, JSON.stringify(groups));
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => void r.close().then(() => process.exit(0)));
}
