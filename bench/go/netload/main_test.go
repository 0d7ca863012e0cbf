package main

import "testing"

// Every value lands in a bucket whose range holds it, buckets are in value
// order, and a bucket's midpoint is within 1/(2*subBuckets) of any value in it.
func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<22; v += 1 + v/1000 {
		i := index(v)
		if i < prev {
			t.Fatalf("index(%d) = %d goes back from %d", v, i, prev)
		}
		prev = i
		m := midpoint(i)
		if index(m) != i {
			t.Fatalf("midpoint(%d) = %d is not in bucket %d", i, m, i)
		}
		diff := float64(m) - float64(v)
		if diff < 0 {
			diff = -diff
		}
		if v > 0 && diff/float64(v) > 1.0/(2*subBuckets) {
			t.Fatalf("value %d: midpoint %d is %.4f away", v, m, diff/float64(v))
		}
	}
	if index(1<<maxBits-1) != buckets-1 || index(1<<40) != buckets-1 {
		t.Fatalf("the last bucket is not %d", buckets-1)
	}
}

func TestQuantile(t *testing.T) {
	var h histogram
	for v := uint64(1); v <= 1000; v++ {
		h.record(v * 1000)
	}
	if p := h.quantile(0.5); p < 497000 || p > 503000 {
		t.Fatalf("p50 = %d, want about 500000", p)
	}
	if p := h.quantile(0.99); p < 986000 || p > 994000 {
		t.Fatalf("p99 = %d, want about 990000", p)
	}
}
