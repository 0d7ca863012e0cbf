// The Go twin of tests/programs/net_busy.rs (its note describes the
// steps): a network wake-up while every P runs a spinner.
package main

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"rt0nettest/internal/park"
)

const yieldEvery = 50 * time.Microsecond

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_busy: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	spinMs := 3000
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		check(err, "argument")
		spinMs = n
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err, "bind")
	fmt.Println("ready", ln.Addr())
	c, err := ln.Accept()
	check(err, "accept")

	end := time.Now().Add(time.Duration(spinMs) * time.Millisecond)
	var spinning int32 = 1
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := uint64(1)
			for {
				now := time.Now()
				if now.After(end) {
					break
				}
				for time.Since(now) < yieldEvery {
					x = x*6364136223846793005 + 1
				}
				runtime.Gosched()
			}
			_ = x
			atomic.StoreInt32(&spinning, 0)
		}()
	}
	go func() {
		park.Wait("IO wait", 1)
		fmt.Println("parked")
	}()
	b := make([]byte, 1)
	n, err := c.Read(b)
	check(err, "read")
	_, err = c.Write(b[:n])
	check(err, "write")
	during := atomic.LoadInt32(&spinning) == 1
	wg.Wait()
	r := 0
	if during && n == 1 {
		r = 1
	}
	fmt.Printf("busy_wake spin_ms=%d replied_during_spin=%d\n", spinMs, r)
	fmt.Println("ok")
}
