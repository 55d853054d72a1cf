// --keep's retention: the newest snapshots stay, up to the count, and none older than the age limit.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { Evidence } from "./keep.ts";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fill(names: string[], ageDays: (i: number) => number): void {
  names.forEach((n, i) => {
    for (const ext of [".txt", ".json"]) {
      const f = join(dir, n + ext);
      writeFileSync(f, "x");
      const t = (Date.now() - ageDays(i) * 86_400_000) / 1000;
      utimesSync(f, t, t);
    }
  });
}

it("keeps at most maxFiles snapshots, the newest, each with its report", () => {
  dir = mkdtempSync(join(tmpdir(), "gosleuth-keep-"));
  const names = [1, 2, 3, 4, 5].map((i) => `2026010${i}T000000000Z-bank_6060-abcdef01`);
  fill(names, () => 0);
  writeFileSync(join(dir, "notes.txt"), "not ours");
  new Evidence({ dir, maxFiles: 3, maxAgeMs: 86_400_000 }).prune();
  const left = readdirSync(dir)
    .filter((f) => f !== ".spool")
    .sort();
  expect(left).toEqual([...names.slice(2).flatMap((n) => [`${n}.json`, `${n}.txt`]), "notes.txt"]);
});

it("removes snapshots older than maxAgeMs", () => {
  dir = mkdtempSync(join(tmpdir(), "gosleuth-keep-"));
  const names = [1, 2, 3].map((i) => `2026010${i}T000000000Z-bank_6060-abcdef01`);
  fill(names, (i) => (i === 0 ? 20 : 1));
  new Evidence({ dir, maxFiles: 100, maxAgeMs: 14 * 86_400_000 }).prune();
  expect(readdirSync(dir).filter((f) => f.endsWith(".txt"))).toEqual(names.slice(1).map((n) => `${n}.txt`));
});
