// The Go twin of examples/http_hello.rs, on raw net (no net/http): reads
// requests up to the blank line, answers each GET with the same 13-byte
// body, keeps the connection alive (pipelined requests answered in order),
// closes on `Connection: close` or EOF. Prints nothing per request.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

const response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n"

// lingerClose shuts the write half, then discards what the client still
// sends for up to 500 ms before closing: closing with unread input would
// send a reset, which can destroy the answers still in flight to a client
// that pipelined more (net/http's closeWriteAndWait).
func lingerClose(c net.Conn) {
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	buf := make([]byte, 1024)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

func serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	for {
		get, closeAfter := false, false
		for first := true; ; first = false {
			line, err := r.ReadString('\n')
			if err != nil {
				w.Flush()
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				if first {
					continue // stray CRLF between requests
				}
				break
			}
			if first {
				get = strings.HasPrefix(line, "GET ")
			} else if k, v, ok := strings.Cut(line, ":"); ok &&
				strings.EqualFold(strings.TrimSpace(k), "connection") &&
				strings.EqualFold(strings.TrimSpace(v), "close") {
				closeAfter = true
			}
		}
		if get {
			w.WriteString(response)
		}
		// Flush when no further pipelined request is already buffered.
		if closeAfter || r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
		if closeAfter {
			lingerClose(c)
			return
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: http_hello ADDR")
		os.Exit(64)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "http_hello:", err)
		os.Exit(1)
	}
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			// As echo_server: back off 5 ms doubling to 1 s (EMFILE).
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			time.Sleep(delay)
			continue
		}
		delay = 0
		go serve(c)
	}
}
