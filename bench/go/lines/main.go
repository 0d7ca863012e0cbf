// lines: the Go twin of rt0's tests/programs/stdio_count.rs for
// scripts/bench_files.py: reads stdin line by line with bufio.Scanner
// (its default buffer, lines up to 64 KiB) and prints
// "lines=N bytes=B", B counting each line's newline as wc -c would for
// newline-terminated input.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	s := bufio.NewScanner(os.Stdin)
	lines, bytes := 0, 0
	for s.Scan() {
		lines++
		bytes += len(s.Bytes()) + 1
	}
	if err := s.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "lines: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("lines=%d bytes=%d\n", lines, bytes)
}
