// echo_server: the Go twin of rt0's examples/echo_server.rs, for the
// network benchmarks (scripts/bench_net.py). TCP echo on the address in
// argv[1], one goroutine per connection copying what it reads back with
// io.Copy until EOF, then closing. Prints nothing per connection and runs
// until killed.
//
// io.Copy(c, c) is what a Go programmer writes; on Linux, Go 1.19 turns it
// into TCPConn.ReadFrom, which moves the bytes with splice(2) through a
// pipe rather than read(2)/write(2) through a buffer (net/splice_linux.go).
// That is part of Go's design as shipped, so the twin keeps it.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// acceptBackoffMax caps the wait after a temporary accept error (EMFILE),
// as net/http's Server.Serve does.
const acceptBackoffMax = time.Second

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s HOST:PORT\n", os.Args[0])
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo_server: %v\n", err)
		os.Exit(1)
	}
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Temporary() {
				backoff = nextBackoff(backoff)
				time.Sleep(backoff)
				continue
			}
			fmt.Fprintf(os.Stderr, "echo_server: accept: %v\n", err)
			os.Exit(1)
		}
		backoff = 0
		go func(c net.Conn) {
			io.Copy(c, c)
			c.Close()
		}(c)
	}
}

// nextBackoff doubles the wait from 5 ms up to acceptBackoffMax.
func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 5 * time.Millisecond
	}
	if d *= 2; d > acceptBackoffMax {
		d = acceptBackoffMax
	}
	return d
}
