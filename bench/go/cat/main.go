// cat: the Go twin of rt0's examples/cat.rs for scripts/bench_files.py:
// each file named in the arguments (or stdin when there are none, "-"
// meaning stdin) copied to stdout with io.Copy(os.Stdout, f), as a Go
// program would write cat. A file that cannot be opened or read is
// reported on stderr, the others are still copied, exit status 1 at the end.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	status := 0
	names := os.Args[1:]
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, name := range names {
		var r io.Reader = os.Stdin
		var f *os.File
		if name != "-" {
			var err error
			f, err = os.Open(name)
			if err != nil {
				fmt.Fprintf(os.Stderr, "cat: %v\n", err)
				status = 1
				continue
			}
			r = f
		}
		if _, err := io.Copy(os.Stdout, r); err != nil {
			fmt.Fprintf(os.Stderr, "cat: %s: %v\n", name, err)
			status = 1
		}
		if f != nil {
			f.Close()
		}
	}
	os.Exit(status)
}
