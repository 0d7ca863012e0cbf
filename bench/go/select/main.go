// select: the cost of a select statement over 4 channels that are all
// ready. Each channel has capacity 1 and holds one value; a goroutine runs
// COUNT selects, each receiving from one of the four (chosen at random by
// select, as the language requires) and putting the value straight back, so
// all four stay ready. Main waits for it. Prints ns per select (including
// the one buffered send that refills the channel). check= is COUNT, the
// number of selects that completed; picks= shows how select spread them.
package main

import (
	"fmt"
	"time"

	"rt0bench/internal/benchutil"
)

func main() {
	n := benchutil.Count()
	var cs [4]chan int
	for i := range cs {
		cs[i] = make(chan int, 1)
		cs[i] <- i
	}
	var picks [4]int
	done := make(chan struct{})
	start := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			select {
			case v := <-cs[0]:
				picks[v]++
				cs[0] <- v
			case v := <-cs[1]:
				picks[v]++
				cs[1] <- v
			case v := <-cs[2]:
				picks[v]++
				cs[2] <- v
			case v := <-cs[3]:
				picks[v]++
				cs[3] <- v
			}
		}
		close(done)
	}()
	<-done
	elapsed := time.Since(start)
	fmt.Printf("check=%d\n", picks[0]+picks[1]+picks[2]+picks[3])
	fmt.Printf("picks=%d,%d,%d,%d\n", picks[0], picks[1], picks[2], picks[3])
	benchutil.Report(elapsed, n)
}
