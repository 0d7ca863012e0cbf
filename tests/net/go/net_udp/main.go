// The Go twin of tests/programs/net_udp.rs (its note describes the
// modes): UDP echo over IPv4 or IPv6, the same lines.
package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

const (
	clients   = 4
	perClient = 250
	maxV4     = 65507
	maxV6     = 65527
)

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_udp: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func serve(c *net.UDPConn) {
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFromUDP(buf)
		check(err, "server recv_from")
		_, err = c.WriteToUDP(buf[:n], from)
		check(err, "server send_to")
	}
}

func client(id int, server *net.UDPAddr, datagrams, total, bad *int64) {
	local, max := "127.0.0.1:0", maxV4
	if server.IP.To4() == nil {
		local, max = "[::1]:0", maxV6
	}
	la, err := net.ResolveUDPAddr("udp", local)
	check(err, "resolve")
	connected := id%2 == 0
	var c *net.UDPConn
	if connected {
		c, err = net.DialUDP("udp", la, server)
	} else {
		c, err = net.ListenUDP("udp", la)
	}
	check(err, "client socket")
	rng := rand.New(rand.NewSource(int64(id + 1)))
	back := make([]byte, 65536)
	for i := 0; i < perClient; i++ {
		size := 1 + rng.Intn(8192)
		switch i {
		case 0:
			size = 0
		case 1:
			if id == 0 { // one 64 KiB datagram at a time (see the rt0 program)
				size = max
			}
		}
		msg := make([]byte, size)
		rng.Read(msg)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var n int
		if connected {
			_, err = c.Write(msg)
			check(err, "send")
			n, err = c.Read(back)
			check(err, "recv (lost datagram?)")
		} else {
			_, err = c.WriteToUDP(msg, server)
			check(err, "send_to")
			var from *net.UDPAddr
			n, from, err = c.ReadFromUDP(back)
			check(err, "recv_from (lost datagram?)")
			if from.String() != server.String() {
				fmt.Printf("FAIL: client %d: reply from %v, not %v\n", id, from, server)
				atomic.AddInt64(bad, 1)
			}
		}
		if !bytes.Equal(back[:n], msg) {
			fmt.Printf("FAIL: client %d datagram %d: %d bytes back, %d sent\n", id, i, n, size)
			atomic.AddInt64(bad, 1)
		}
		atomic.AddInt64(datagrams, 1)
		atomic.AddInt64(total, int64(n))
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: net_udp self|serve ADDR")
		os.Exit(64)
	}
	addr, err := net.ResolveUDPAddr("udp", os.Args[2])
	check(err, "address")
	sock, err := net.ListenUDP("udp", addr)
	check(err, "bind")
	switch os.Args[1] {
	case "self":
		go serve(sock)
		var datagrams, total, bad int64
		var wg sync.WaitGroup
		for id := 0; id < clients; id++ {
			wg.Add(1)
			go func(id int) {
				defer wg.Done()
				client(id, addr, &datagrams, &total, &bad)
			}(id)
		}
		wg.Wait()
		fmt.Printf("udp_self clients=%d datagrams=%d bytes=%d bad=%d\n", clients, datagrams, total, bad)
		fmt.Println("ok")
	case "serve":
		fmt.Println("listening", os.Args[2])
		serve(sock)
	default:
		fmt.Fprintln(os.Stderr, "net_udp: unknown mode", os.Args[1])
		os.Exit(64)
	}
}
