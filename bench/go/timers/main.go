// timers: how late sleeping goroutines wake up when many sleep at once.
// COUNT goroutines each sleep a random duration, uniform in [1 ms, 10 ms]
// (fixed seed, drawn by main before any goroutine starts), and record how
// much later than asked they woke. Prints the median and 99th percentile
// lateness, then the median again as the `ns/op` figure.
package main

import (
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"time"

	"rt0bench/internal/benchutil"
)

const (
	minSleep = time.Millisecond
	maxSleep = 10 * time.Millisecond
	seed     = 1
)

func main() {
	n := benchutil.Count()
	r := rand.New(rand.NewSource(seed))
	sleeps := make([]time.Duration, n)
	for i := range sleeps {
		sleeps[i] = minSleep + time.Duration(r.Int63n(int64(maxSleep-minSleep)+1))
	}
	late := make([]time.Duration, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			t0 := time.Now()
			time.Sleep(sleeps[i])
			late[i] = time.Since(t0) - sleeps[i]
			wg.Done()
		}(i)
	}
	wg.Wait()
	sort.Slice(late, func(a, b int) bool { return late[a] < late[b] })
	p50 := late[(n-1)*50/100]
	p99 := late[(n-1)*99/100]
	fmt.Printf("lateness_p50_ns=%d lateness_p99_ns=%d\n", p50.Nanoseconds(), p99.Nanoseconds())
	fmt.Printf("%d ns/op\n", p50.Nanoseconds())
}
