// A replay server on 127.0.0.1 for the polling commands' tests (`watch`, `leaks --every`, `fetch --every`):
// it serves recorded snapshots in order and fails the requests a test plans (a 503, a reset connection, a
// body cut halfway, a hang), as a restarting or dying service does.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fixture, listFixtures } from "@gosleuth/fixtures";

/** leakybank's recorded debug=2 snapshots, oldest first: what the polling tests replay. */
export const LEAKYBANK_SNAPSHOTS: readonly Buffer[] = listFixtures("labeled/leakybank")
  .filter((f) => f.endsWith("-debug2.txt"))
  .map((f) => readFileSync(fixture(f)));

export type Step = "ok" | "503" | "reset" | "cut" | "hang";

export class FlakyReplay {
  /** What the next requests get, in order; past its end every request succeeds. */
  plan: Step[] = [];
  /** Requests received since the last reset. */
  requests = 0;
  /** Snapshots served whole since the last reset. */
  served = 0;
  url = "";
  private server: Server | undefined;

  constructor(private readonly snapshots: readonly Buffer[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const step = this.plan[this.requests++] ?? "ok";
      const body = this.snapshots[Math.min(this.served, this.snapshots.length - 1)]!;
      if (step === "503") res.writeHead(503, { "content-type": "text/plain" }).end("restarting\n");
      else if (step === "reset") req.socket.destroy();
      else if (step === "cut") {
        // Promises the whole dump, sends half, and drops the connection (a process killed mid-answer).
        res.writeHead(200, { "content-length": body.length });
        res.write(body.subarray(0, body.length >> 1), () => req.socket.destroy());
      } else if (step === "ok") {
        this.served++;
        res.end(body);
      }
      // "hang": never answers
    });
    const server = this.server;
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/goroutine?debug=2`;
    return this.url;
  }

  reset(): void {
    this.plan = [];
    this.requests = 0;
    this.served = 0;
  }

  close(): void {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}
