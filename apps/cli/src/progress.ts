// A progress bar on stderr for big inputs, shown only when stderr is a terminal.
import { formatCount } from "@gosleuth/model";
import cliProgress from "cli-progress";

const MIN_BYTES = 8 * 1024 * 1024;

export class Progress {
  private bar?: cliProgress.SingleBar;
  private last = 0;

  constructor(
    private readonly size: number | undefined,
    private readonly name: string,
  ) {}

  update(bytes: number, goroutines: number): void {
    if (!process.stderr.isTTY || process.env.CI) return;
    if (!this.bar) {
      if ((this.size ?? bytes) < MIN_BYTES) return;
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
    }
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.bar.update(this.size ? bytes : 0, {
      mb: (bytes / 1e6).toFixed(0),
      goroutines: formatCount(goroutines),
    });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
