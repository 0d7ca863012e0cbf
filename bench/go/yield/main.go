// yield: the cost of runtime.Gosched, i.e. of one trip through the
// scheduler. Two goroutines each call Gosched COUNT times; main waits.
// Prints ns per switch (2*COUNT switches in all). With GOMAXPROCS=1 every
// Gosched hands the P to the other goroutine; with 2 each may find its
// run queue empty and carry on, which is what Go does too.
package main

import (
	"runtime"
	"sync"
	"time"

	"rt0bench/internal/benchutil"
)

func main() {
	n := benchutil.Count()
	var wg sync.WaitGroup
	wg.Add(2)
	start := time.Now()
	for g := 0; g < 2; g++ {
		go func() {
			for i := 0; i < n; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	benchutil.Report(time.Since(start), 2*n)
}
