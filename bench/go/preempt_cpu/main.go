// Go twin of `preempt_cpu hash MIB ROUNDS G` and `preempt_cpu spectral N G`
// (bench/programs/preempt_cpu.rs): the same computations, split among G
// goroutines the same way, the same `check=` line and `<ns> ns` last
// line. scripts/bench_preempt.py runs both with preemption on and with
// GODEBUG=asyncpreemptoff=1, so that rt0's overhead is read beside Go's
// on the same shape.
package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	fnvOffset     = 0xcbf29ce484222325
	fnvPrime      = 0x00000100000001b3
	mib           = 1 << 20
	spectralSteps = 10
)

func arg(n int, def uint64) uint64 {
	if len(os.Args) > n {
		if v, err := strconv.ParseUint(os.Args[n], 10, 64); err == nil {
			return v
		}
	}
	return def
}

func fnv(words []uint64, h uint64) uint64 {
	for _, w := range words {
		h ^= w
		h *= fnvPrime
	}
	return h
}

func hash(mibs int, rounds uint64, g int) uint64 {
	words := mibs * mib / 8
	buf := make([]uint64, words)
	for i := range buf {
		buf[i] = uint64(i) * fnvPrime
	}
	var acc uint64
	var wg sync.WaitGroup
	wg.Add(g)
	chunk := (words + g - 1) / g
	for i := 0; i < g; i++ {
		lo, hi := min(i*chunk, words), min((i+1)*chunk, words)
		go func(part []uint64) {
			h := uint64(fnvOffset)
			for r := uint64(0); r < rounds; r++ {
				h = fnv(part, h)
			}
			for {
				old := atomic.LoadUint64(&acc)
				if atomic.CompareAndSwapUint64(&acc, old, old^h) {
					break
				}
			}
			wg.Done()
		}(buf[lo:hi])
	}
	wg.Wait()
	return atomic.LoadUint64(&acc)
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func a(i, j int) float64 {
	return 1.0 / float64((i+j)*(i+j+1)/2+i+1)
}

func mul(v []float64, transpose bool, g int) []float64 {
	n := len(v)
	out := make([]float64, n)
	var wg sync.WaitGroup
	wg.Add(g)
	rows := (n + g - 1) / g
	for k := 0; k < g; k++ {
		go func(k int) {
			for i := min(k*rows, n); i < min((k+1)*rows, n); i++ {
				s := 0.0
				for j, x := range v {
					if transpose {
						s += a(j, i) * x
					} else {
						s += a(i, j) * x
					}
				}
				out[i] = s
			}
			wg.Done()
		}(k)
	}
	wg.Wait()
	return out
}

func spectral(n, g int) float64 {
	u := make([]float64, n)
	for i := range u {
		u[i] = 1
	}
	v := u
	for s := 0; s < spectralSteps; s++ {
		v = mul(mul(u, false, g), true, g)
		u = mul(mul(v, false, g), true, g)
	}
	var vbv, vv float64
	for i := 0; i < n; i++ {
		vbv += u[i] * v[i]
		vv += v[i] * v[i]
	}
	return math.Sqrt(vbv / vv)
}

func main() {
	t0 := time.Now()
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "hash":
		fmt.Printf("check=%#x\n", hash(int(arg(2, 64)), arg(3, 20), int(arg(4, 8))))
	case "spectral":
		fmt.Printf("check=%.9f\n", spectral(int(arg(2, 2000)), int(arg(3, 8))))
	default:
		fmt.Fprintln(os.Stderr, "usage: preempt_cpu hash MIB ROUNDS G | spectral N G")
		os.Exit(2)
	}
	fmt.Printf("%d ns\n", time.Since(t0).Nanoseconds())
}
