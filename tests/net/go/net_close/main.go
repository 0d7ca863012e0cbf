// The Go twin of tests/programs/net_close.rs (its note describes the
// modes): a goroutine blocked on a socket, the socket closed from main.
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"rt0nettest/internal/park"
)

const closed = "use of closed network connection"

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_close: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func pair() (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err, "listen")
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	check(err, "dial")
	s, err := ln.Accept()
	check(err, "accept")
	return c, s
}

func msg(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func flag(m string) int {
	if strings.Contains(m, closed) {
		return 1
	}
	return 0
}

func freshPairWorks() {
	c, s := pair()
	defer c.Close()
	defer s.Close()
	_, err := c.Write([]byte("fresh"))
	check(err, "fresh write")
	b := make([]byte, 5)
	_, err = s.Read(b)
	check(err, "fresh read")
	if string(b) != "fresh" {
		fmt.Printf("FAIL: fresh connection read %q\n", b)
		os.Exit(1)
	}
}

type res struct {
	at  time.Time
	msg string
}

func victim(mode string, block func() string, closeIt func() error, after func() string, second func() string) {
	done := make(chan res, 1)
	go func() {
		m := block()
		done <- res{time.Now(), m}
	}()
	park.Wait("IO wait", 1)
	t0 := time.Now()
	check(closeIt(), "close")
	freshPairWorks()
	r := <-done
	a, s := after(), second()
	fmt.Printf("%s woke_us=%d closed_err=%d after_err=%d second_close_err=%d\n",
		mode, r.at.Sub(t0).Microseconds(), flag(r.msg), flag(a), flag(s))
	fmt.Printf("%s_err %s\n", mode, r.msg)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: net_close tcp_read|tcp_write|accept|udp_recv")
		os.Exit(64)
	}
	mode := os.Args[1]
	switch mode {
	case "tcp_read":
		c, peer := pair()
		defer peer.Close()
		victim(mode,
			func() string { _, err := c.Read(make([]byte, 16)); return msg(err) },
			c.Close,
			func() string { _, err := c.Read(make([]byte, 16)); return msg(err) },
			func() string { return msg(c.Close()) })
	case "tcp_write":
		c, peer := pair()
		defer peer.Close()
		victim(mode,
			func() string {
				buf := make([]byte, 64*1024)
				for {
					if _, err := c.Write(buf); err != nil {
						return msg(err)
					}
				}
			},
			c.Close,
			func() string { _, err := c.Write([]byte("x")); return msg(err) },
			func() string { return msg(c.Close()) })
	case "accept":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		check(err, "listen")
		victim(mode,
			func() string { _, err := ln.Accept(); return msg(err) },
			ln.Close,
			func() string { _, err := ln.Accept(); return msg(err) },
			func() string { return msg(ln.Close()) })
	case "udp_recv":
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		check(err, "listen udp")
		victim(mode,
			func() string { _, _, err := u.ReadFrom(make([]byte, 64)); return msg(err) },
			u.Close,
			func() string { _, _, err := u.ReadFrom(make([]byte, 64)); return msg(err) },
			func() string { return msg(u.Close()) })
	default:
		fmt.Fprintln(os.Stderr, "net_close: unknown mode", mode)
		os.Exit(64)
	}
	fmt.Println("ok")
}
