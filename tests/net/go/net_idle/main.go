// The Go twin of tests/programs/net_idle.rs: programs whose goroutines
// all wait, on sockets or on channels, with no timer anywhere. Each mode
// sets up, prints `ready MODE`, then blocks for good; tests/net_idle.rs
// says what Go 1.19 does in each (and holds rt0 to the same).
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "net_idle:", err)
		os.Exit(1)
	}
}

// pair returns both ends of a loopback TCP connection and its listener.
func pair() (net.Listener, net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	c, err := net.Dial("tcp", ln.Addr().String())
	check(err)
	s, err := ln.Accept()
	check(err)
	return ln, c, s
}

func readForever(c net.Conn) {
	var b [1]byte
	n, err := c.Read(b[:])
	fmt.Printf("read returned n=%d err=%v\n", n, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: net_idle sockets|one_socket|chan_accept|chan_listener|chan_only|wake_after_idle")
		os.Exit(64)
	}
	mode := os.Args[1]
	never := make(chan int)
	switch mode {
	case "sockets":
		// Every goroutine waits on a socket: accept, TCP read, UDP read.
		ln, c, s := pair()
		go func() {
			_, err := ln.Accept()
			fmt.Println("accept returned", err)
			os.Exit(1)
		}()
		go readForever(s)
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		check(err)
		go func() {
			var b [64]byte
			_, _, err := u.ReadFrom(b[:])
			fmt.Println("recv returned", err)
			os.Exit(1)
		}()
		fmt.Println("ready", mode)
		readForever(c)
	case "one_socket":
		// Only main, reading a socket whose peer is open and silent.
		_, c, s := pair()
		defer s.Close()
		fmt.Println("ready", mode)
		readForever(c)
	case "chan_accept":
		// main in a channel receive nobody will satisfy, one goroutine
		// in accept on a listener nobody will connect to.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		check(err)
		go func() {
			_, err := ln.Accept()
			fmt.Println("accept returned", err)
			os.Exit(1)
		}()
		fmt.Println("ready", mode)
		<-never
	case "chan_listener":
		// The same listener, but nobody is waiting on it.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		check(err)
		defer ln.Close()
		fmt.Println("ready", mode)
		<-never
	case "chan_only":
		fmt.Println("ready", mode)
		<-never
	case "wake_after_idle":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		check(err)
		fmt.Println("ready", ln.Addr())
		c, err := ln.Accept()
		check(err)
		line, err := bufio.NewReader(c).ReadString('\n')
		check(err)
		fmt.Println("got", strings.TrimSuffix(line, "\n"))
		os.Exit(0)
	default:
		fmt.Fprintln(os.Stderr, "net_idle: unknown mode", mode)
		os.Exit(64)
	}
}
