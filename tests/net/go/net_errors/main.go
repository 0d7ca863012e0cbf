// The Go twin of tests/programs/net_errors.rs (its note describes the
// modes): socket errors come back as errors, and SIGPIPE from a write
// to a broken socket (not stdout or stderr) does not kill the process.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_errors: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func kind(err error) string {
	switch {
	case errors.Is(err, syscall.EPIPE):
		return "BrokenPipe"
	case errors.Is(err, syscall.ECONNRESET):
		return "ConnectionReset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "ConnectionRefused"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "TimedOut"
	}
	return "other"
}

func tcpPair() (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err, "bind")
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	check(err, "connect")
	s, err := ln.Accept()
	check(err, "accept")
	return c, s
}

func writeUntilError(c net.Conn) string {
	buf := make([]byte, 4096)
	for i := 0; i < 100000; i++ {
		if _, err := c.Write(buf); err != nil {
			return kind(err)
		}
	}
	return "no error"
}

func unixPair() (net.Conn, net.Conn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	check(err, "socketpair")
	conn := func(fd int) net.Conn {
		f := os.NewFile(uintptr(fd), "unix")
		c, err := net.FileConn(f)
		check(err, "FileConn")
		f.Close()
		return c
	}
	return conn(fds[0]), conn(fds[1])
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: net_errors epipe_tcp|epipe_unix|reset|udp_refused")
		os.Exit(64)
	}
	mode := os.Args[1]
	var k string
	switch mode {
	case "epipe_tcp":
		c, s := tcpPair()
		s.Close()
		k = writeUntilError(c)
	case "epipe_unix":
		c, s := unixPair()
		s.Close()
		k = writeUntilError(c)
	case "reset":
		c, s := tcpPair()
		_, err := c.Write([]byte("unread"))
		check(err, "write")
		check(s.Close(), "close")
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := c.Read(make([]byte, 16))
		if err == nil {
			fmt.Printf("FAIL: read returned %d\n", n)
			k = "none"
		} else {
			k = kind(err)
		}
	case "udp_refused":
		gone, err := net.ListenPacket("udp", "127.0.0.1:0")
		check(err, "bind")
		addr := gone.LocalAddr().String()
		check(gone.Close(), "close")
		u, err := net.Dial("udp", addr)
		check(err, "connect")
		u.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = u.Write([]byte("anyone?"))
		check(err, "send")
		n, err := u.Read(make([]byte, 16))
		if err == nil {
			fmt.Printf("FAIL: recv returned %d\n", n)
			k = "none"
		} else {
			k = kind(err)
		}
	default:
		fmt.Fprintln(os.Stderr, "net_errors: unknown mode", mode)
		os.Exit(64)
	}
	fmt.Printf("%s kind=%s\n", mode, k)
	fmt.Println("ok")
}
