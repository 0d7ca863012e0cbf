// park: COUNT goroutines alive at once, all parked. Each starts, checks in
// on a WaitGroup and blocks receiving from one gate channel; when all have
// checked in, main closes the gate and waits for them to finish. Prints ns
// per goroutine (start, park, wake, exit); the harness reports peak RSS,
// which is mostly the parked goroutines' stacks.
package main

import (
	"sync"
	"time"

	"rt0bench/internal/benchutil"
)

func main() {
	n := benchutil.Count()
	gate := make(chan struct{})
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-gate
			finished.Done()
		}()
	}
	started.Wait()
	close(gate)
	finished.Wait()
	benchutil.Report(time.Since(start), n)
}
