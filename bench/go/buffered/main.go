// buffered: throughput of a buffered channel (capacity 128) between one
// producer goroutine and one consumer (main). The producer sends
// 0..COUNT-1 and closes; main sums what it receives. Prints ns per value.
// check= is the sum.
package main

import (
	"fmt"
	"time"

	"rt0bench/internal/benchutil"
)

const capacity = 128

func main() {
	n := benchutil.Count()
	c := make(chan int, capacity)
	start := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			c <- i
		}
		close(c)
	}()
	sum := 0
	for v := range c {
		sum += v
	}
	elapsed := time.Since(start)
	fmt.Printf("check=%d\n", sum)
	benchutil.Report(elapsed, n)
}
