// http_nethttp: Go's net/http serving the same page as rt0's
// examples/http_hello.rs, for reference in the network benchmarks
// (scripts/bench_net.py): what a Go programmer gets from the standard
// server. Listens on argv[1]; every request gets 200 OK, Content-Type
// text/plain, body "hello, world\n" (net/http adds Content-Length and Date).
// Runs until killed.
package main

import (
	"fmt"
	"net/http"
	"os"
)

var body = []byte("hello, world\n")

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s HOST:PORT\n", os.Args[0])
		os.Exit(2)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	err := http.ListenAndServe(os.Args[1], handler)
	fmt.Fprintf(os.Stderr, "http_nethttp: %v\n", err)
	os.Exit(1)
}
