// http_hello: the Go twin of rt0's examples/http_hello.rs for the network
// benchmarks (scripts/bench_net.py), written on raw net the way the rt0
// example is: one goroutine per connection reads requests up to the blank
// line and answers each GET with the same bytes,
//
//	HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n
//
// keeping the connection alive. Pipelined requests are answered in order;
// the answers are buffered and flushed when no further request is already
// read (one write for a batch). The connection closes after a request with
// "Connection: close", at EOF, or on a malformed request; any method but
// GET gets 405 and a close (the benchmarks send only GETs). Request bodies
// are not read. Listens on argv[1], prints nothing per request, runs until
// killed.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"time"
)

const (
	// bufSize bounds a request line or header line: a longer one closes the
	// connection (bufio.ErrBufferFull).
	bufSize = 4096
	// acceptBackoffMax caps the wait after a temporary accept error
	// (EMFILE), as net/http's Server.Serve does.
	acceptBackoffMax = time.Second
)

var (
	okResponse       = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n")
	notAllowed       = []byte("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	connectionHeader = []byte("connection:")
	closeToken       = []byte("close")
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s HOST:PORT\n", os.Args[0])
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "http_hello: %v\n", err)
		os.Exit(1)
	}
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Temporary() {
				backoff = nextBackoff(backoff)
				time.Sleep(backoff)
				continue
			}
			fmt.Fprintf(os.Stderr, "http_hello: accept: %v\n", err)
			os.Exit(1)
		}
		backoff = 0
		go serve(c)
	}
}

// serve answers the requests of one connection in order until it closes.
func serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, bufSize)
	w := bufio.NewWriterSize(c, bufSize)
	for {
		isGet, closeAfter, err := readRequest(r)
		if err != nil {
			w.Flush() // answers to the requests before EOF
			return
		}
		if !isGet {
			w.Write(notAllowed)
			w.Flush()
			return
		}
		w.Write(okResponse)
		if closeAfter {
			w.Flush()
			return
		}
		// Flush once no further request is already read: a pipelined
		// batch is answered in one write, a lone request at once.
		if r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

// readRequest consumes one request head (request line, headers, blank
// line) and says whether it was a GET and asked for Connection: close.
func readRequest(r *bufio.Reader) (isGet, closeAfter bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return false, false, err
	}
	isGet = bytes.HasPrefix(line, []byte("GET "))
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return false, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return isGet, closeAfter, nil
		}
		if len(line) > len(connectionHeader) && bytes.EqualFold(line[:len(connectionHeader)], connectionHeader) {
			value := bytes.ToLower(bytes.TrimSpace(line[len(connectionHeader):]))
			if bytes.Contains(value, closeToken) {
				closeAfter = true
			}
		}
	}
}

// nextBackoff doubles the wait from 5 ms up to acceptBackoffMax.
func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 5 * time.Millisecond
	}
	if d *= 2; d > acceptBackoffMax {
		d = acceptBackoffMax
	}
	return d
}
