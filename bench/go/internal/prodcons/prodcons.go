// Package prodcons is the body of the prodcons0, prodcons10 and
// prodcons100 twins: P producers and P consumers (P = GOMAXPROCS) on one
// channel of the given capacity. Producer k sends its share of 0..COUNT-1;
// when all producers are done the channel is closed; consumers receive until
// it is closed. Prints ns per value (COUNT values), with check= the sum of
// everything received.
package prodcons

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"rt0bench/internal/benchutil"
)

// Main runs the workload with a channel of the given capacity.
func Main(capacity int) {
	n := benchutil.Count()
	p := runtime.GOMAXPROCS(0)
	c := make(chan int, capacity)
	sums := make([]int, p)
	var producers, consumers sync.WaitGroup
	producers.Add(p)
	consumers.Add(p)
	start := time.Now()
	for k := 0; k < p; k++ {
		lo, hi := n*k/p, n*(k+1)/p
		go func() {
			for i := lo; i < hi; i++ {
				c <- i
			}
			producers.Done()
		}()
		go func(k int) {
			s := 0
			for v := range c {
				s += v
			}
			sums[k] = s
			consumers.Done()
		}(k)
	}
	producers.Wait()
	close(c)
	consumers.Wait()
	elapsed := time.Since(start)
	total := 0
	for _, s := range sums {
		total += s
	}
	fmt.Printf("check=%d\n", total)
	benchutil.Report(elapsed, n)
}
