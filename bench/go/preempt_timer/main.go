// Go twin of `preempt_spin ticker HOGS TICKS PERIOD_US`
// (tests/programs/preempt_spin.rs): HOGS goroutines spin without a
// function call while main sleeps PERIOD_US microseconds TICKS times and
// measures how late each wake-up is. Same output line:
// `ticks=N early=E p50_us= p99_us= max_us=`. Used by
// scripts/bench_preempt.py.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var stop int32

func hog(wg *sync.WaitGroup) {
	n := 0
	for atomic.LoadInt32(&stop) == 0 {
		n++
	}
	_ = n
	wg.Done()
}

func arg(i int, def int) int {
	if len(os.Args) > i {
		if v, err := strconv.Atoi(os.Args[i]); err == nil {
			return v
		}
	}
	return def
}

func main() {
	hogs := arg(2, runtime.GOMAXPROCS(0))
	ticks := arg(3, 200)
	period := time.Duration(arg(4, 1000)) * time.Microsecond
	var wg sync.WaitGroup
	wg.Add(hogs)
	for i := 0; i < hogs; i++ {
		go hog(&wg)
	}
	late := make([]int64, 0, ticks)
	early := 0
	for i := 0; i < ticks; i++ {
		t0 := time.Now()
		time.Sleep(period)
		l := int64(time.Since(t0) - period)
		if l < 0 {
			early++
		}
		late = append(late, l)
	}
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	at := func(q int) int64 { return late[(len(late)-1)*q/100] / 1000 }
	fmt.Printf("ticks=%d early=%d p50_us=%d p99_us=%d max_us=%d\n", ticks, early, at(50), at(99), late[len(late)-1]/1000)
}
