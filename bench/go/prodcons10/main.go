// prodcons10: P producers and P consumers (P = GOMAXPROCS) on one channel
// of capacity 10; ns per value. The body is internal/prodcons.
package main

import "rt0bench/internal/prodcons"

func main() { prodcons.Main(10) }
