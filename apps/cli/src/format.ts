// The commands' human-readable output: whether it gets colour, and numbers and sizes for people.
import { formatCount } from "@gosleuth/model";
import pc from "picocolors";

export const n = formatCount;

/**
 * Whether output gets colour and bold: the one place every command asks. `--no-color` and NO_COLOR
 * (no-color.org: set and not empty) turn it off, FORCE_COLOR (other than 0/false) turns it on for a pipe
 * or a file, else only a terminal gets it.
 */
export function useColor(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
): boolean {
  if (argv.includes("--no-color") || env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "") return !/^(0|false)$/i.test(env.FORCE_COLOR);
  return Boolean(stream.isTTY) && env.TERM !== "dumb";
}

/** Decided once at start-up: `--no-color` is a program option, so it is in argv before any command runs. */
export const colorEnabled = useColor();
export const color = pc.createColors(colorEnabled);

/** A size for people: `12.3 MB`, `5.7 kB` under a tenth of a megabyte, `512 bytes` under a kilobyte. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${n(bytes)} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 100_000) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Characters gathered before a write in writeJson. */
const JSON_PIECE = 1 << 20;
/** Elements of a list that writeJson stringifies in one call. */
const JSON_RUN = 256;

/**
 * A list whose elements are made from `source` by `map` only when writeJson writes them, a run at a time:
 * `stacks --format json` on 100,000 distinct stacks otherwise held every group's JSON object (and its
 * frames') at once beside the report they are made from. JSON.stringify of it is the mapped array's.
 */
export class MappedList<S, T> {
  constructor(
    private readonly source: readonly S[],
    private readonly map: (s: S) => T,
  ) {}
  get length(): number {
    return this.source.length;
  }
  slice(start: number, end: number): T[] {
    return this.source.slice(start, end).map(this.map);
  }
  toJSON(): T[] {
    return this.source.map(this.map);
  }
}

/**
 * Writes `JSON.stringify(doc, null, indent)` and a newline to `out`, the same bytes, a piece at a time:
 * an array (or a MappedList) that is a property of `doc` is stringified JSON_RUN elements at a time, and the text goes out
 * in writes of about a megabyte, each after the one before has drained (a pipe takes 64 KiB at a time,
 * and pieces written without waiting queue up as copies). `leaks --format json` of 100,000 findings is a
 * 153 MB string, and writing it made a UTF-8 copy as big: neither is made here.
 */
export async function writeJson(
  doc: object,
  indent: 0 | 2,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const nl = indent === 0 ? "" : "\n";
  const pad1 = indent === 0 ? "" : "  ";
  const colon = indent === 0 ? ":" : ": ";
  /**
   * A value's text at `pad`'s depth (undefined: JSON.stringify leaves it out). Strings in JSON hold no
   * raw newline, so every newline is the layout's.
   */
  const at = (v: unknown, pad: string): string | undefined => {
    const s = JSON.stringify(v, null, indent);
    return s === undefined || pad === "" ? s : s.replace(/\n/g, `\n${pad}`);
  };
  let buf = "{";
  let first = true;
  for (const key of Object.keys(doc)) {
    const v = (doc as Record<string, unknown>)[key];
    const lead = `${first ? "" : ","}${nl}${pad1}${JSON.stringify(key)}${colon}`;
    if (!(Array.isArray(v) || v instanceof MappedList) || v.length === 0) {
      const s = at(v, pad1);
      if (s === undefined) continue;
      buf += lead + s;
    } else {
      // A run of elements is stringified as the list of a document of its own, `{"key": [...]}`: its
      // elements' text is then laid out for the depth they have in `doc`, and is cut out of that. One
      // call a run: an element at a time, its lines indented again after, made `leaks --format json` on
      // a dump of 100,000 distinct stacks 1.053 of one whole stringify's wall time, runs 0.842 (8 rounds).
      const head = `{${nl}${pad1}${JSON.stringify(key)}${colon}[`;
      const tail = `${nl}${pad1}]${nl}}`;
      buf += `${lead}[`;
      for (let i = 0; i < v.length; i += JSON_RUN) {
        const s = JSON.stringify({ [key]: v.slice(i, i + JSON_RUN) }, null, indent);
        buf += `${i === 0 ? "" : ","}${s.slice(head.length, s.length - tail.length)}`;
        if (buf.length >= JSON_PIECE) {
          const ok = out.write(buf);
          buf = "";
          if (!ok) await drainOrClose(out);
        }
      }
      buf += `${nl}${pad1}]`;
    }
    first = false;
  }
  out.write(`${buf}${first ? "" : nl}}\n`);
}

/**
 * Resolves when `out` drains or closes (a closed pipe: run.ts ends the process on its EPIPE), and leaves no
 * listener behind (racing two `once` calls left the loser's listeners on stdout at every wait: a
 * MaxListenersExceededWarning on stderr and a slow leak).
 */
export function drainOrClose(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
  });
}
