// The Go twin of examples/echo_server.rs: TCP echo on the address in
// argv[1], one goroutine per connection copying until EOF, then close.
// Accept errors (EMFILE under a low `ulimit -n`) back off and retry as
// net/http's Server.Serve does: 5 ms doubling to 1 s. Prints nothing per
// connection and runs until killed.
//
// The copy is a plain read/write loop, not io.Copy: io.Copy between two
// *net.TCPConn splices through a pipe, two more descriptors per
// connection, and 10,000 connections then need 30,000 descriptors
// (seen: the 10,000-connection test stalled at 6,727 under a 20,000 fd
// limit, with 12,929 pipe descriptors open).
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 32*1024)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: echo_server ADDR")
		os.Exit(64)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo_server:", err)
		os.Exit(1)
	}
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			time.Sleep(delay)
			continue
		}
		delay = 0
		go echo(c)
	}
}
