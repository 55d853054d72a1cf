// The root README's command table says what `--help` says: every command with its arguments, every option,
// and each option's choices, read from commander's command tree, so a new option that the README does not
// name (or a README option the CLI dropped) fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { program } from "../src/main.ts";

const README = join(import.meta.dirname, "..", "..", "..", "README.md");

/** A command as the table and `--help` both describe it. */
interface CommandShape {
  /** `leaks <inputs...>`; the program itself is `gosleuth`. */
  usage: string;
  /** Long option name → its choices (null when it has none, or the table does not list them). */
  options: Map<string, string[] | null>;
}

function argText(c: Command): string {
  return c.registeredArguments
    .map((a) => {
      const name = `${a.name()}${a.variadic ? "..." : ""}`;
      return a.required ? `<${name}>` : `[${name}]`;
    })
    .join(" ");
}

/** Commander's tree, in the table's shape. Help options are left out: every command has one. */
export function cliShapes(root: Command): CommandShape[] {
  const shape = (c: Command, usage: string): CommandShape => ({
    usage,
    options: new Map(
      c.options
        .filter((o) => o.long && o.long !== "--help")
        .map((o) => [o.long as string, o.argChoices ? [...o.argChoices] : null]),
    ),
  });
  return [
    shape(root, root.name()),
    ...root.commands
      .filter((c) => c.name() !== "help")
      .map((c) => shape(c, [c.name(), argText(c)].filter(Boolean).join(" "))),
  ];
}

/** Cells of a Markdown table row; `\|` inside a cell is a literal bar. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replaceAll("\\|", "|"));
}

/** The README's `| command | options | what it does |` table. */
export function readmeShapes(md: string): CommandShape[] {
  const lines = md.split("\n");
  const head = lines.findIndex((l) => /^\|\s*command\s*\|\s*options\s*\|/.test(l));
  if (head < 0) throw new Error("README.md: no `| command | options | what it does |` table");
  const out: CommandShape[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith("|")) break;
    const [command = "", options = ""] = cells(line);
    const spans = [...options.matchAll(/`([^`]*)`/g)].map((m) => m[1] as string);
    const map = new Map<string, string[] | null>();
    for (const span of spans) {
      const [name = "", value] = span.split(/\s+/, 2);
      // A value with bars lists the choices (`text|md|json`); any other value is a placeholder (`N`, `FILE`).
      map.set(name, value?.includes("|") ? value.split("|") : null);
    }
    out.push({ usage: command.replaceAll("`", "").trim(), options: map });
  }
  return out;
}

/** What the table gets wrong against the CLI, one line each; empty when they agree. */
export function differences(table: CommandShape[], cli: CommandShape[]): string[] {
  const out: string[] = [];
  const name = (usage: string) => usage.split(" ")[0] as string;
  const rows = new Map(table.map((r) => [name(r.usage), r]));
  for (const c of cli) {
    const row = rows.get(name(c.usage));
    if (!row) {
      out.push(`${c.usage}: missing from the README's table`);
      continue;
    }
    if (row.usage !== c.usage)
      out.push(`${name(c.usage)}: the table says "${row.usage}", --help "${c.usage}"`);
    for (const [opt, choices] of c.options) {
      if (!row.options.has(opt)) out.push(`${name(c.usage)} ${opt}: in --help, not in the README's table`);
      const listed = row.options.get(opt);
      if (listed && choices && listed.join("|") !== choices.join("|"))
        out.push(`${name(c.usage)} ${opt}: the table lists ${listed.join("|")}, --help ${choices.join("|")}`);
      if (listed && !choices)
        out.push(`${name(c.usage)} ${opt}: the table lists choices that --help has not`);
    }
    for (const opt of row.options.keys())
      if (!c.options.has(opt)) out.push(`${name(c.usage)} ${opt}: in the README's table, not in --help`);
  }
  const known = new Set(cli.map((c) => name(c.usage)));
  for (const r of table)
    if (!known.has(name(r.usage))) out.push(`${r.usage}: in the README's table, not a command`);
  return out;
}

const table = readmeShapes(readFileSync(README, "utf8"));
const cli = cliShapes(program);

describe("the README's command table matches --help", () => {
  it("reads the table and the command tree", () => {
    expect(cli.map((c) => c.usage)).toEqual(
      expect.arrayContaining(["gosleuth", "leaks <inputs...>", "agent"]),
    );
    expect(table.length).toBe(cli.length);
  });

  it("names every command, argument, option and choice of --help, and nothing else", () => {
    expect(differences(table, cli)).toEqual([]);
  });

  it("fails when the CLI gains an option the README does not name, or loses one it names", () => {
    const grown = cli.map((c) => ({ usage: c.usage, options: new Map(c.options) }));
    grown.find((c) => c.usage.startsWith("leaks "))?.options.set("--new-option", null);
    expect(differences(table, grown)).toEqual(["leaks --new-option: in --help, not in the README's table"]);

    const shrunk = cli.map((c) => ({ usage: c.usage, options: new Map(c.options) }));
    shrunk.find((c) => c.usage.startsWith("view "))?.options.delete("--no-open");
    expect(differences(table, shrunk)).toEqual(["view --no-open: in the README's table, not in --help"]);

    const rechosen = cli.map((c) => ({ usage: c.usage, options: new Map(c.options) }));
    rechosen.find((c) => c.usage.startsWith("diff "))?.options.set("--format", ["text", "md", "json", "csv"]);
    expect(differences(table, rechosen)).toEqual([
      "diff --format: the table lists text|md|json, --help text|md|json|csv",
    ]);

    const renamed = cli.map((c) => (c.usage.startsWith("fetch ") ? { ...c, usage: "fetch <url> [out]" } : c));
    expect(differences(table, renamed)).toEqual([
      'fetch: the table says "fetch <url>", --help "fetch <url> [out]"',
    ]);
  });
});
