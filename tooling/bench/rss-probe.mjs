// Preloaded into benchmarked processes (node --import): writes peak RSS in KiB and the CPU time of all
// the process's threads in microseconds (user + system) to $GOSLEUTH_RSS_FILE at exit.
import { writeFileSync } from "node:fs";

const file = process.env.GOSLEUTH_RSS_FILE;
if (file)
  process.on("exit", () => {
    const u = process.resourceUsage();
    writeFileSync(file, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`);
  });
