// netload: the one load client of the TCP echo benchmarks
// (scripts/bench_net.py), used unchanged against every echo server (rt0,
// its Go twin, tokio) so that the client is never the difference.
//
//	netload -addr HOST:PORT -conns N -secs S [-warmup W] [-size 64]
//
// Opens N connections one after the other (connection set-up is not
// measured), then runs one goroutine per connection: write a SIZE-byte
// message, read the SIZE-byte echo back in full, check it is the message,
// again, for W + S seconds. Requests started in the first W seconds are a
// warm-up and not counted. Every counted request's latency (write start to
// last byte read) goes into a log-linear histogram, one per connection,
// merged at the end.
//
// The harness runs it with GOMAXPROCS=1. It prints one line,
//
//	netload echo conns=N size=64 secs=S requests=... rps=... p50_us=... p99_us=... mean_us=... max_us=... min_conn_requests=... client_cpu=... errors=0 stalled=0
//
// rps is counted requests over S; percentiles are from the histogram
// (each within 0.4 % of the true value); client_cpu is the client's own
// CPU time over the wall time (1.0 = one core busy: the client may be the
// limit). Exit status 0 only if every connection connected, every echo
// matched and no connection stalled (a read still blocked STALL_GRACE
// after the end is a stall: the server lost the connection's wake-up).
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

const (
	dialTimeout = 10 * time.Second
	// stallGrace: how long after the end a connection may still wait for
	// its last echo before it counts as stalled.
	stallGrace = 3 * time.Second
	// maxReported: failed connections named on stderr (the rest are counted).
	maxReported = 5
)

func main() {
	addr := flag.String("addr", "", "server address HOST:PORT")
	conns := flag.Int("conns", 1, "concurrent connections")
	secs := flag.Float64("secs", 5, "measured seconds")
	warmup := flag.Float64("warmup", 0, "seconds of warm-up before the measurement")
	size := flag.Int("size", 64, "message size in bytes (at least 16)")
	flag.Parse()
	if *addr == "" || *conns < 1 || *secs <= 0 || *warmup < 0 || *size < 16 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	dialStart := time.Now()
	cs := make([]net.Conn, *conns)
	for i := range cs {
		c, err := net.DialTimeout("tcp", *addr, dialTimeout)
		if err != nil {
			fmt.Fprintf(os.Stderr, "netload: connection %d of %d: %v\n", i+1, *conns, err)
			os.Exit(1)
		}
		cs[i] = c // Go's TCP connections have TCP_NODELAY set
	}

	start := time.Now()
	connectTime := start.Sub(dialStart)
	from := start.Add(time.Duration(*warmup * float64(time.Second)))
	end := from.Add(time.Duration(*secs * float64(time.Second)))
	workers := make([]worker, *conns)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func(w *worker, c net.Conn, id int) {
			defer wg.Done()
			w.run(c, uint64(id), *size, from, end)
			c.Close()
		}(&workers[i], cs[i], i)
	}
	wg.Wait()
	wall := time.Since(start)

	var total histogram
	var max time.Duration
	var sum time.Duration
	minConn := -1
	errors, stalled := 0, 0
	for i := range workers {
		w := &workers[i]
		total.merge(&w.hist)
		sum += w.sum
		if w.max > max {
			max = w.max
		}
		if minConn < 0 || w.count < minConn {
			minConn = w.count
		}
		if w.err == nil {
			continue
		}
		if w.stalled {
			stalled++
		} else {
			errors++
		}
		if stalled+errors <= maxReported {
			fmt.Fprintf(os.Stderr, "netload: connection %d: %v\n", i, w.err)
		}
	}
	n := total.count()
	mean := 0.0
	if n > 0 {
		mean = float64(sum) / float64(n) / 1e3
	}
	fmt.Printf("netload echo conns=%d size=%d secs=%.3f requests=%d rps=%.1f p50_us=%.1f p99_us=%.1f mean_us=%.1f max_us=%.1f min_conn_requests=%d connect_ms=%.1f client_cpu=%.2f errors=%d stalled=%d\n",
		*conns, *size, *secs, n, float64(n) / *secs,
		float64(total.quantile(0.50))/1e3, float64(total.quantile(0.99))/1e3, mean, float64(max)/1e3,
		minConn, float64(connectTime)/1e6, cpuSeconds()/wall.Seconds(), errors, stalled)
	if errors > 0 || stalled > 0 || n == 0 {
		os.Exit(1)
	}
}

// worker is one connection's loop and what it measured.
type worker struct {
	hist    histogram
	count   int
	sum     time.Duration
	max     time.Duration
	err     error
	stalled bool
}

// run does requests on c until end, timing those started at or after from.
// The message carries the connection's id and the request's sequence
// number, so a stale or misrouted echo does not match.
func (w *worker) run(c net.Conn, id uint64, size int, from, end time.Time) {
	c.SetDeadline(end.Add(stallGrace))
	msg := make([]byte, size)
	reply := make([]byte, size)
	for i := 16; i < size; i++ {
		msg[i] = byte('a' + i%26)
	}
	binary.LittleEndian.PutUint64(msg[0:], id)
	t0 := time.Now()
	for seq := uint64(0); t0.Before(end); seq++ {
		binary.LittleEndian.PutUint64(msg[8:], seq)
		if _, err := c.Write(msg); err != nil {
			w.fail(err)
			return
		}
		if _, err := io.ReadFull(c, reply); err != nil {
			w.fail(err)
			return
		}
		t1 := time.Now()
		if !bytes.Equal(reply, msg) {
			w.err = fmt.Errorf("request %d: echo differs from the message", seq)
			return
		}
		if !t0.Before(from) {
			d := t1.Sub(t0)
			w.hist.record(uint64(d))
			w.count++
			w.sum += d
			if d > w.max {
				w.max = d
			}
		}
		t0 = t1
	}
}

func (w *worker) fail(err error) {
	w.err = err
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		w.stalled = true
	}
}

// cpuSeconds is this process's user + system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// histogram counts values (ns) in log-linear buckets, as HDR histograms
// do: values below 2*subBuckets each have a bucket; above, each power of
// two [2^k, 2^(k+1)) is cut into subBuckets equal buckets, so a bucket is
// at most 1/subBuckets of its values wide. Values from 2^maxBits ns
// (about 17 s) up share the last bucket.
type histogram struct {
	counts [buckets]uint32
}

const (
	subBits    = 7
	subBuckets = 1 << subBits // relative width 1/128: midpoints within 0.4 %
	maxBits    = 34
	// Index of the last bucket + 1: shift e runs 0..maxBits-subBits-1.
	buckets = (maxBits-subBits)*subBuckets + subBuckets
)

// index: v itself below 2*subBuckets; above, with e the shift that brings v
// into [subBuckets, 2*subBuckets), e*subBuckets + (v >> e).
func index(v uint64) int {
	if v >= 1<<maxBits {
		return buckets - 1
	}
	e := bits.Len64(v) - (subBits + 1)
	if e <= 0 {
		return int(v)
	}
	return e*subBuckets + int(v>>uint(e))
}

// midpoint is the middle of bucket i's value range.
func midpoint(i int) uint64 {
	if i < 2*subBuckets {
		return uint64(i)
	}
	e := uint(i/subBuckets - 1)
	low := uint64(i-int(e)*subBuckets) << e
	return low + (uint64(1)<<e-1)/2
}

func (h *histogram) record(v uint64) { h.counts[index(v)]++ }

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
}

func (h *histogram) count() uint64 {
	var n uint64
	for _, c := range h.counts {
		n += uint64(c)
	}
	return n
}

// quantile is the midpoint of the bucket holding the ceil(q*n)-th value.
func (h *histogram) quantile(q float64) uint64 {
	n := h.count()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.999999)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			return midpoint(i)
		}
	}
	return midpoint(buckets - 1)
}
