// `gosleuth watch`: a live terminal view of the top goroutine groups and their growth, ending with a leak report.
import { analyzeSnapshots, renderText, type Snapshot } from "@gosleuth/leaks";
import { plain } from "@gosleuth/text";
import { CliError } from "../errors.ts";
import { color, n } from "../format.ts";
import { type FetchOptions, isUrl, loadDump } from "../input.ts";
import { loadSettings } from "./leaks.ts";

export async function watchCommand(
  url: string,
  o: { every: number; count: number; config?: string },
  f: FetchOptions,
): Promise<void> {
  if (!isUrl(url))
    throw new CliError(
      "watch needs an http(s) URL, e.g. http://localhost:6060/debug/pprof/goroutine?debug=2",
    );
  const settings = loadSettings(o.config);
  const tty = Boolean(process.stdout.isTTY);
  const snaps: Snapshot[] = [];
  let stop = false;
  const onInt = () => {
    stop = true;
  };
  process.once("SIGINT", onInt);
  try {
    for (let i = 0; (o.count === 0 || i < o.count) && !stop; i++) {
      const started = Date.now();
      const d = await loadDump(url, f);
      snaps.push({ goroutines: d.goroutines, takenAt: new Date(started) });
      if (snaps.length > 30) snaps.shift(); // keep the last 30 snapshots
      const r = analyzeSnapshots(snaps, settings);
      const lines = [
        `${color.bold("gosleuth watch")} ${url} · snapshot ${i + 1}${o.count ? `/${o.count}` : ""} · ${n(d.goroutines.length)} goroutines · ${new Date().toLocaleTimeString()}`,
        "",
        `${"count".padStart(9)}  ${"change".padStart(8)}  ${"severity".padEnd(8)}  group`,
      ];
      for (const x of r.findings.filter((x) => x.count > 0).slice(0, 15)) {
        const c = x.growth?.counts ?? [x.count];
        const delta = c.length > 1 ? c[c.length - 1]! - c[0]! : 0;
        const ch =
          delta > 0 ? color.yellow(`+${n(delta)}`.padStart(8)) : `${delta < 0 ? n(delta) : "·"}`.padStart(8);
        lines.push(
          `${n(x.count).padStart(9)}  ${ch}  ${x.severity.padEnd(8)}  ${plain(x.startFunction)} [${plain(x.state)}]`,
        );
      }
      if (tty)
        process.stdout.write(`\x1b[2J\x1b[H${lines.join("\n")}\n\n(Ctrl-C to stop and print the report)\n`);
      else process.stdout.write(`${lines.join("\n")}\n\n`);
      if (o.count !== 0 && i + 1 >= o.count) break;
      const wait = Math.max(0, o.every - (Date.now() - started));
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, wait);
        process.once("SIGINT", () => {
          clearTimeout(t);
          ok();
        });
      });
    }
  } finally {
    process.removeListener("SIGINT", onInt);
  }
  if (snaps.length > 0)
    process.stdout.write(`\n${renderText(analyzeSnapshots(snaps, settings), { color: tty })}`);
}
