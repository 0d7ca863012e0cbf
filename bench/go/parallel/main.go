// parallel: a CPU-bound job split over 64 goroutines, to see the scheduler
// spread work over the Ps. Hashes the integers 0..COUNT-1 (splitmix64's
// finaliser) and sums the hashes; goroutine j takes the j-th of 64 equal
// slices. Prints ns per element; the harness divides the GOMAXPROCS=1 time
// by the GOMAXPROCS=2 time for the speed-up. check= is the sum, which rt0
// must reproduce.
package main

import (
	"fmt"
	"sync"
	"time"

	"rt0bench/internal/benchutil"
)

const jobs = 64

// mix is splitmix64's finaliser: cheap, no memory traffic, not foldable.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func main() {
	n := benchutil.Count()
	var sums [jobs]uint64
	var wg sync.WaitGroup
	wg.Add(jobs)
	start := time.Now()
	for j := 0; j < jobs; j++ {
		lo, hi := uint64(n*j/jobs), uint64(n*(j+1)/jobs)
		go func(j int) {
			var s uint64
			for i := lo; i < hi; i++ {
				s += mix(i)
			}
			sums[j] = s
			wg.Done()
		}(j)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var total uint64
	for _, s := range sums {
		total += s
	}
	fmt.Printf("check=%016x\n", total)
	benchutil.Report(elapsed, n)
}
