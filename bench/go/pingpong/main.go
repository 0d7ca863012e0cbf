// pingpong: the latency of an unbuffered channel hand-off. Main sends a
// value on ping, a second goroutine receives it and sends it back plus one
// on pong, COUNT times. Prints ns per round trip (two hand-offs, each a
// park and a wake-up of the other side). check= is the final value.
package main

import (
	"fmt"
	"time"

	"rt0bench/internal/benchutil"
)

func main() {
	n := benchutil.Count()
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	v := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- v
		v = <-pong
	}
	elapsed := time.Since(start)
	close(ping)
	fmt.Printf("check=%d\n", v)
	benchutil.Report(elapsed, n)
}
