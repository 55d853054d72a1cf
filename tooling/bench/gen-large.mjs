#!/usr/bin/env node
import { once } from "node:events";
// Generates a big debug=2 dump by renumbering the real 216k-goroutine dump's blocks, copy after
// copy, keeping `created by ... in goroutine N` parent ids consistent within each copy.
// With --unique-args, every hex value in a frame's arguments is replaced by one never used before, as
// pointer arguments differ between goroutines on real servers: the worst case for frame interning.
// Usage: node gen-large.mjs <target-bytes> <out-file> [--unique-args]   (never commit the output)
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { LARGE_GZ } from "./paths.mjs";

const target = Number(process.argv[2] ?? 1.5e9);
const out = process.argv[3];
const uniqueArgs = process.argv.includes("--unique-args");
let nextArg = 0xc000000000;
/** The text with every hex value inside a frame's parentheses made unique. */
const uniquify = (text) =>
  text.replace(
    /^([^\t\n][^\n]*\()([^\n]*)\)$/gm,
    (_, head, args) => `${head}${args.replace(/0x[0-9a-f]+/g, () => `0x${(nextArg++).toString(16)}`)})`,
  );
if (!out) {
  console.error("usage: node gen-large.mjs <target-bytes> <out-file>");
  process.exit(2);
}
if (!existsSync(LARGE_GZ)) {
  console.error(`gen-large: ${LARGE_GZ} not found (the shared corpus is needed)`);
  process.exit(2);
}

// Read the source once, as text lines (157 MB fits in memory as a Buffer list; we keep it as one string per copy pass).
const chunks = [];
for await (const c of createReadStream(LARGE_GZ).pipe(createGunzip())) chunks.push(c);
const src = Buffer.concat(chunks).toString("utf8");
let maxId = 0;
for (const m of src.matchAll(/^goroutine (\d+) /gm)) maxId = Math.max(maxId, Number(m[1]));
const stride = 10 ** Math.ceil(Math.log10(maxId + 1));

const ws = createWriteStream(out);
let written = 0;
let copy = 0;
let goroutines = 0;
while (written < target) {
  const off = copy * stride;
  const text =
    copy === 0
      ? src
      : src
          .replace(/^goroutine (\d+) /gm, (_, id) => {
            goroutines++;
            return `goroutine ${Number(id) + off} `;
          })
          .replace(/ in goroutine (\d+)$/gm, (_, id) => ` in goroutine ${Number(id) + off}`);
  if (copy === 0) goroutines += (src.match(/^goroutine \d+ /gm) ?? []).length;
  const body = uniqueArgs ? uniquify(text) : text;
  const buf = Buffer.from(copy === 0 ? body : `\n${body}`);
  if (!ws.write(buf)) await once(ws, "drain");
  written += buf.length;
  copy++;
  process.stderr.write(
    `\rgen-large: ${(written / 1e6).toFixed(0)} MB, ${goroutines} goroutines, ${copy} copies`,
  );
}
ws.end();
await once(ws, "finish");
process.stderr.write("\n");
console.log(JSON.stringify({ file: out, bytes: written, goroutines, copies: copy }));
