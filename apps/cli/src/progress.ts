// A progress bar on stderr for big inputs, shown only when stderr is a terminal.
import { formatCount } from "@gosleuth/model";
import type { SingleBar } from "cli-progress";

const MIN_BYTES = 8 * 1024 * 1024;

// cli-progress (with its string-width tables) is loaded only when a bar is to be shown: a run in a pipe, a
// script or CI never compiles it.
type CliProgress = typeof import("cli-progress");
let barModule: Promise<CliProgress> | undefined;

export class Progress {
  private bar?: SingleBar;
  private last = 0;
  private stopped = false;

  constructor(
    private readonly size: number | undefined,
    private readonly name: string,
  ) {}

  update(bytes: number, goroutines: number): void {
    if (!process.stderr.isTTY || process.env.CI || this.stopped) return;
    if (!this.bar) {
      if ((this.size ?? bytes) < MIN_BYTES) return;
      // A CommonJS module: its exports are the namespace's default (the bundle's and Node's interop).
      barModule ??= import("cli-progress").then((m) => (m as { default?: CliProgress }).default ?? m);
      // The bar starts with the first update after the module has loaded (a few milliseconds).
      void barModule.then((m) => this.start(m, bytes, goroutines));
      return;
    }
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.bar.update(this.size ? bytes : 0, {
      mb: (bytes / 1e6).toFixed(0),
      goroutines: formatCount(goroutines),
    });
  }

  private start(cliProgress: CliProgress, bytes: number, goroutines: number): void {
    if (this.bar || this.stopped) return;
    const total = this.size ?? 0;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: total
          ? `${this.name} {bar} {percentage}% | {mb}/{totalMb} MB | {goroutines} goroutines`
          : `${this.name} {mb} MB | {goroutines} goroutines`,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total || 1, 0, { mb: "0", totalMb: (total / 1e6).toFixed(0), goroutines: "0" });
    this.update(bytes, goroutines);
  }

  stop(): void {
    this.stopped = true;
    this.bar?.stop();
    this.bar = undefined;
  }
}
