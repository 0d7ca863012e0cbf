// Package benchutil is what every Go twin shares: the count from argv[1]
// and the output format the harness (scripts/bench.py) parses.
//
// Output contract: any number of `key=value` lines, then, last, one line
// `<ns> ns/op`. A `check=<value>` line, when printed, must be the same for
// rt0 and Go (the harness compares them), so it may only depend on the count.
package benchutil

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Count is the unit-of-work count the harness passes as argv[1].
func Count() int {
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: %s COUNT\n", os.Args[0])
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "%s: COUNT must be a positive integer, got %q\n", os.Args[0], os.Args[1])
		os.Exit(2)
	}
	return n
}

// Report prints the final `<ns> ns/op` line: elapsed time over ops units.
func Report(elapsed time.Duration, ops int) {
	fmt.Printf("%.3f ns/op\n", float64(elapsed.Nanoseconds())/float64(ops))
}
