// Preloaded into benchmarked processes (node --import): writes peak RSS in KiB to $GOSLEUTH_RSS_FILE at exit.
import { writeFileSync } from "node:fs";

const file = process.env.GOSLEUTH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
