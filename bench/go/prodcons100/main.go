// prodcons100: P producers and P consumers (P = GOMAXPROCS) on one channel
// of capacity 100; ns per value. The body is internal/prodcons.
package main

import "rt0bench/internal/prodcons"

func main() { prodcons.Main(100) }
