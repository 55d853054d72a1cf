// The bench's peer: parses a dump file with github.com/DataDog/gostackparse (one thread, as its API does)
// and prints how many goroutines it returned, so `pnpm bench` can time it beside gosleuth on the same files.
// Like rss-probe.mjs for the Node commands, it writes its peak RSS (KiB) and CPU time (microseconds, all
// threads) to $GOSLEUTH_RSS_FILE. Build: ./build.sh <gostackparse checkout> (see ../../README.md).
package main

import (
	"bufio"
	"fmt"
	"os"
	"syscall"

	"github.com/DataDog/gostackparse"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	gs, errs := gostackparse.Parse(bufio.NewReaderSize(f, 1<<20))
	fmt.Printf("{\"goroutines\": %d, \"errors\": %d}\n", len(gs), len(errs))
	if out := os.Getenv("GOSLEUTH_RSS_FILE"); out != "" {
		var u syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &u) == nil {
			cpu := u.Utime.Sec*1e6 + u.Utime.Usec + u.Stime.Sec*1e6 + u.Stime.Usec
			_ = os.WriteFile(out, []byte(fmt.Sprintf("%d %d", u.Maxrss, cpu)), 0o644)
		}
	}
}
