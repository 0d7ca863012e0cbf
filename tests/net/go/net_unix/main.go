// The Go twin of tests/programs/net_unix.rs (its note describes the
// modes): Unix stream sockets, the same lines.
package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sync"
	"sync/atomic"
)

const (
	clients = 20
	maxSize = 256 * 1024
)

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_unix: %s: %v\n", what, err)
		os.Exit(1)
	}
}

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

func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		check(err, "accept")
		go echo(c)
	}
}

func client(id int, path string) (int, bool) {
	rng := rand.New(rand.NewSource(int64(id + 7)))
	payload := make([]byte, 1+rng.Intn(maxSize))
	rng.Read(payload)
	c, err := net.Dial("unix", path)
	check(err, "connect")
	defer c.Close()
	go func() {
		_, err := c.Write(payload)
		check(err, "write_all")
		check(c.(*net.UnixConn).CloseWrite(), "shutdown")
	}()
	got, err := io.ReadAll(c)
	check(err, "read")
	return len(got), bytes.Equal(got, payload)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: net_unix self|serve PATH")
		os.Exit(64)
	}
	path := os.Args[2]
	ln, err := net.Listen("unix", path)
	check(err, "bind")
	switch os.Args[1] {
	case "self":
		go acceptLoop(ln)
		var total, bad int64
		var wg sync.WaitGroup
		for id := 0; id < clients; id++ {
			wg.Add(1)
			go func(id int) {
				defer wg.Done()
				n, ok := client(id, path)
				atomic.AddInt64(&total, int64(n))
				if !ok {
					fmt.Printf("FAIL: client %d: the echo differs (%d bytes)\n", id, n)
					atomic.AddInt64(&bad, 1)
				}
			}(id)
		}
		wg.Wait()
		fmt.Printf("unix_self clients=%d bytes=%d bad=%d\n", clients, total, bad)
		fmt.Println("ok")
	case "serve":
		fmt.Println("listening", path)
		acceptLoop(ln)
	default:
		fmt.Fprintln(os.Stderr, "net_unix: unknown mode", os.Args[1])
		os.Exit(64)
	}
}
