// spawn: the cost of starting a goroutine that does (almost) nothing.
// Starts COUNT goroutines, each calling Done on one WaitGroup; main waits
// for all of them. Prints ns per goroutine: creation, scheduling, exit.
package main

import (
	"sync"
	"time"

	"rt0bench/internal/benchutil"
)

func main() {
	n := benchutil.Count()
	var wg sync.WaitGroup
	wg.Add(n)
	start := time.Now()
	for i := 0; i < n; i++ {
		go wg.Done()
	}
	wg.Wait()
	benchutil.Report(time.Since(start), n)
}
