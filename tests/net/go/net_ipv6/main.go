// The Go twin of tests/programs/net_ipv6.rs (its note describes the
// lines): IPv6 loopback, localhost, refused connections.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

const size = 1 << 20

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_ipv6: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func pattern(seed byte) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i)*31 ^ seed
	}
	return b
}

func exchange(c net.Conn, mine, theirs []byte) bool {
	done := make(chan struct{})
	go func() {
		_, err := c.Write(mine)
		check(err, "write_all")
		close(done)
	}()
	got := make([]byte, size)
	_, err := io.ReadFull(c, got)
	check(err, "read_exact")
	<-done
	return bytes.Equal(got, theirs)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func refused(listen string) bool {
	ln, err := net.Listen("tcp", listen)
	check(err, "bind")
	addr := ln.Addr().String()
	check(ln.Close(), "close")
	_, err = net.Dial("tcp", addr)
	return errors.Is(err, syscall.ECONNREFUSED)
}

func main() {
	if len(os.Args) != 2 || os.Args[1] != "self" {
		fmt.Fprintln(os.Stderr, "usage: net_ipv6 self")
		os.Exit(64)
	}
	ln, err := net.Listen("tcp", "[::1]:0")
	check(err, "bind [::1]:0")
	local := ln.Addr().(*net.TCPAddr)
	loopback := local.IP.Equal(net.IPv6loopback) && local.IP.To4() == nil && local.Port != 0
	c, err := net.Dial("tcp", local.String())
	check(err, "connect")
	peerOK := c.RemoteAddr().String() == local.String()
	s, err := ln.Accept()
	check(err, "accept")
	from := s.RemoteAddr().(*net.TCPAddr)
	acceptedOK := from.IP.Equal(net.IPv6loopback) && from.IP.To4() == nil
	a, b := pattern(1), pattern(2)
	server := make(chan bool, 1)
	go func() { server <- exchange(s, b, a) }()
	clientOK := exchange(c, a, b)
	serverOK := <-server
	fmt.Printf("v6 local=%v loopback=%d peer_ok=%d accepted_ok=%d bytes=%d echo_ok=%d\n",
		local, b2i(loopback), b2i(peerOK), b2i(acceptedOK), 2*size, b2i(clientOK && serverOK))

	ln4, err := net.Listen("tcp", "127.0.0.1:0")
	check(err, "bind 127.0.0.1:0")
	port := ln4.Addr().(*net.TCPAddr).Port
	lc, err := net.Dial("tcp", fmt.Sprintf("localhost:%d", port))
	check(err, "connect localhost")
	ls, err := ln4.Accept()
	check(err, "accept localhost")
	_, err = lc.Write([]byte("h"))
	check(err, "write localhost")
	one := make([]byte, 1)
	_, err = io.ReadFull(ls, one)
	check(err, "read localhost")
	lfrom := ls.RemoteAddr().(*net.TCPAddr)
	fmt.Printf("localhost ok=%d\n", b2i(string(one) == "h" && lfrom.IP.Equal(net.IPv4(127, 0, 0, 1))))

	fmt.Printf("refused v4=%d v6=%d\n", b2i(refused("127.0.0.1:0")), b2i(refused("[::1]:0")))
	fmt.Println("ok")
}
