// Where the benchmark inputs live: the shared corpus dump and the generated files (gitignored).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH_DIR, "..", "..");
export const DATA_DIR = resolve(BENCH_DIR, ".data");
export const CORPUS = process.env.GOSLEUTH_CORPUS ?? resolve(ROOT, "..", "shared", "corpus");
export const LARGE_GZ = resolve(CORPUS, "generated/large/go1.26-spawnfarm-216k.txt.gz");
export const CLI = resolve(ROOT, "apps/cli/dist/gosleuth.mjs");
