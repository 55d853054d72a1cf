// Race detector reports folded for reading: the same pair of racing locations reported many times (a loop,
// many requests) is one race with a count.
import type { RaceFrame, RaceReport } from "@gosleuth/model";

export interface RaceFrameJson {
  function: string;
  file: string;
  line: number;
}

export interface RaceJson {
  count: number;
  accesses: {
    kind: "read" | "write";
    /** `Previous write at …`: the access that happened first. */
    previous: boolean;
    atomic: boolean;
    address: string;
    /** Null for `by main goroutine` (old reports). */
    goroutine: number | null;
    frames: RaceFrameJson[];
  }[];
  goroutines: { id: number; status: string; createdAt: RaceFrameJson[] }[];
}

function frameJson(f: RaceFrame): RaceFrameJson {
  return { function: f.fn.full, file: f.file, line: f.line };
}

function location(frames: readonly RaceFrame[]): string {
  const f = frames[0];
  return f ? `${f.fn.full} ${f.file}:${f.line}` : "?";
}

/** Races with identical access pairs (kind and top location of each access) folded into one, in first-seen order. */
export function foldRaces(reports: readonly RaceReport[]): RaceJson[] {
  const byKey = new Map<string, RaceJson>();
  for (const r of reports) {
    const key = r.accesses
      .map((a) => `${a.kind}${a.atomic ? "/atomic" : ""} ${location(a.frames)}`)
      .join("\n");
    const seen = byKey.get(key);
    if (seen) {
      seen.count++;
      continue;
    }
    byKey.set(key, {
      count: 1,
      accesses: r.accesses.map((a) => ({
        kind: a.kind,
        previous: a.previous,
        atomic: a.atomic,
        address: a.address,
        goroutine: a.goroutineId,
        frames: a.frames.map(frameJson),
      })),
      goroutines: r.goroutines.map((g) => ({
        id: g.id,
        status: g.status,
        createdAt: g.createdAt.map(frameJson),
      })),
    });
  }
  return [...byKey.values()];
}
