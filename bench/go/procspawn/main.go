// procspawn: the cost of starting and waiting for a child process, the Go
// twin of rt0's `process_spawn bench N G` (scripts/bench_spawn.py runs
// both). Starts N `/bin/true` children with os/exec (`Cmd.Run`: fork/exec,
// then wait), from G goroutines at once (G = 1: one after another, in
// main). Prints `children=N goroutines=G failed=0`, then ns per child.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"rt0bench/internal/benchutil"
)

func main() {
	n := benchutil.Count()
	g := 1
	if len(os.Args) > 2 {
		v, err := strconv.Atoi(os.Args[2])
		if err != nil || v <= 0 {
			fmt.Fprintf(os.Stderr, "procspawn: GOROUTINES must be a positive integer, got %q\n", os.Args[2])
			os.Exit(2)
		}
		g = v
	}
	var failed atomic.Int64
	run := func(count int) {
		for i := 0; i < count; i++ {
			if err := exec.Command("/bin/true").Run(); err != nil {
				failed.Add(1)
			}
		}
	}
	start := time.Now()
	if g == 1 {
		run(n)
	} else {
		var wg sync.WaitGroup
		wg.Add(g)
		for i := 0; i < g; i++ {
			mine := n / g
			if i < n%g {
				mine++
			}
			go func() {
				defer wg.Done()
				run(mine)
			}()
		}
		wg.Wait()
	}
	elapsed := time.Since(start)
	fmt.Printf("children=%d goroutines=%d failed=%d\n", n, g, failed.Load())
	benchutil.Report(elapsed, n)
}
