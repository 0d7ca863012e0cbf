// The Go twin of tests/programs/net_load.rs (its note describes it): Go
// on the client side of an echo server, CONNS connections at once.
package main

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

func fail(what string, err error) {
	fmt.Printf("FAIL: %s: %v\n", what, err)
	os.Exit(1)
}

func arg(i int, def int) int {
	if len(os.Args) <= i {
		return def
	}
	n, err := strconv.Atoi(os.Args[i])
	if err != nil {
		fail("argument", err)
	}
	return n
}

func hash(id int, b []byte) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, id)
	h.Write(b)
	return h.Sum64()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: net_load ADDR [CONNS [MAX_SIZE]]")
		os.Exit(64)
	}
	addr := os.Args[1]
	conns, max := arg(2, 1000), arg(3, 256*1024)
	var connected, ok, total, hashSent, hashGot uint64
	var up, done sync.WaitGroup
	goAhead := make(chan struct{})
	up.Add(conns)
	for id := 0; id < conns; id++ {
		done.Add(1)
		go func(id int) {
			defer done.Done()
			rng := rand.New(rand.NewSource(int64(id + 1)))
			payload := make([]byte, 1+rng.Intn(max))
			rng.Read(payload)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				fail("connect", err)
			}
			defer c.Close()
			atomic.AddUint64(&connected, 1)
			up.Done()
			<-goAhead
			go func() {
				if _, err := c.Write(payload); err != nil {
					fail("write_all", err)
				}
				if err := c.(*net.TCPConn).CloseWrite(); err != nil {
					fail("shutdown", err)
				}
			}()
			got, err := io.ReadAll(c)
			if err != nil {
				fail("read", err)
			}
			if !bytes.Equal(got, payload) {
				fmt.Printf("FAIL: connection %d: %d bytes echoed of %d\n", id, len(got), len(payload))
				os.Exit(1)
			}
			atomic.AddUint64(&hashSent, hash(id, payload))
			atomic.AddUint64(&hashGot, hash(id, got))
			atomic.AddUint64(&total, uint64(len(got)))
			atomic.AddUint64(&ok, 1)
		}(id)
	}
	up.Wait()
	close(goAhead)
	done.Wait()
	h := 0
	if hashSent == hashGot {
		h = 1
	}
	fmt.Printf("load conns=%d connected=%d ok=%d bytes=%d hash_ok=%d\n", conns, connected, ok, total, h)
	fmt.Println("ok")
}
