// The Go twin of tests/programs/net_deadline.rs (its note describes the
// modes): the same lines, with Go's deadlines. A timeout of std's shape
// (per call) is a deadline set before each call.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"rt0nettest/internal/park"
)

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_deadline: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func pair() (*net.TCPConn, *net.TCPConn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err, "listen")
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	check(err, "dial")
	s, err := ln.Accept()
	check(err, "accept")
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// kind names a timeout as rt0's ErrorKind does: a read or write past its
// deadline is os.ErrDeadlineExceeded, a dial past its timeout a net.Error
// whose Timeout() is true.
func kind(err error) string {
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return "TimedOut"
	}
	return "other"
}

func us(d time.Duration) int64 { return d.Microseconds() }

func failingRead(c net.Conn, t0 time.Time, perCall time.Duration) (int64, string) {
	if perCall > 0 {
		c.SetReadDeadline(time.Now().Add(perCall))
	}
	var b [16]byte
	n, err := c.Read(b[:])
	if err == nil {
		fmt.Printf("FAIL: read returned %d bytes\n", n)
		os.Exit(1)
	}
	return us(time.Since(t0)), kind(err)
}

func readAfter(c, peer net.Conn) int {
	_, err := peer.Write([]byte("x"))
	check(err, "peer write")
	var b [16]byte
	n, err := c.Read(b[:])
	check(err, "read after clearing")
	return n
}

func fill(c net.Conn, t0 time.Time, perCall time.Duration) (int, int64, int64, string) {
	buf := make([]byte, 64*1024)
	total := 0
	for {
		call := time.Now()
		if perCall > 0 {
			c.SetWriteDeadline(call.Add(perCall))
		}
		n, err := c.Write(buf)
		total += n
		if err != nil {
			now := time.Now()
			// Go's Write loops until all is written or an error: the
			// bytes of the failing call count as written before it.
			return total, us(now.Sub(t0)), us(now.Sub(call)), kind(err)
		}
	}
}

func argMs(i int) time.Duration {
	if len(os.Args) <= i {
		return 100 * time.Millisecond
	}
	n, err := strconv.Atoi(os.Args[i])
	check(err, "argument")
	return time.Duration(n) * time.Millisecond
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: net_deadline MODE [ARGS]")
		os.Exit(64)
	}
	mode := os.Args[1]
	switch mode {
	case "read_timeout", "read_deadline":
		d := argMs(2)
		c, peer := pair()
		t0 := time.Now()
		perCall := d
		if mode == "read_deadline" {
			c.SetReadDeadline(time.Now().Add(d))
			perCall = 0
		}
		took, k := failingRead(c, t0, perCall)
		again, k2 := failingRead(c, time.Now(), perCall)
		c.SetReadDeadline(time.Time{})
		n := readAfter(c, peer)
		fmt.Printf("%s want_us=%d took_us=%d kind=%s again_us=%d kind2=%s after_clear=%d\n",
			mode, us(d), took, k, again, k2, n)
	case "deadline_while_blocked":
		d := argMs(2)
		c, _ := pair()
		type res struct {
			at   time.Time
			kind string
		}
		done := make(chan res, 1)
		go func() {
			var b [16]byte
			_, err := c.Read(b[:])
			at := time.Now()
			k := "data"
			if err != nil {
				k = kind(err)
			}
			done <- res{at, k}
		}()
		park.Wait("IO wait", 1)
		t0 := time.Now()
		c.SetReadDeadline(time.Now().Add(d))
		r := <-done
		fmt.Printf("%s want_us=%d took_us=%d kind=%s\n", mode, us(d), us(r.at.Sub(t0)), r.kind)
	case "write_timeout", "write_deadline":
		d := argMs(2)
		c, _ := pair()
		t0 := time.Now()
		perCall := d
		if mode == "write_deadline" {
			c.SetWriteDeadline(time.Now().Add(d))
			perCall = 0
		}
		bytes, since, call, k := fill(c, t0, perCall)
		took := call
		if mode == "write_deadline" {
			took = since
		}
		fmt.Printf("%s want_us=%d took_us=%d kind=%s bytes_before=%d\n", mode, us(d), took, k, bytes)
	case "connect_timeout":
		if len(os.Args) < 3 {
			fmt.Fprintln(os.Stderr, "usage: net_deadline connect_timeout ADDR MS")
			os.Exit(64)
		}
		d := argMs(3)
		t0 := time.Now()
		c, err := net.DialTimeout("tcp", os.Args[2], d)
		took := us(time.Since(t0))
		k := "connected"
		if err != nil {
			k = kind(err)
		} else {
			c.Close()
		}
		fmt.Printf("%s want_us=%d took_us=%d kind=%s\n", mode, us(d), took, k)
	default:
		fmt.Fprintln(os.Stderr, "net_deadline: unknown mode", mode)
		os.Exit(64)
	}
	fmt.Println("ok")
}
