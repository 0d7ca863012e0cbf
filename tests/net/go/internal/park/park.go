// Package park waits until goroutines are parked with a given wait
// reason, as the rt0 test programs' chanutil::wait_parked does through
// the runtime's test hook: here by parsing runtime.Stack of all
// goroutines (what Go's own tests do).
package park

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Count is the number of goroutines whose header says [reason] now.
func Count(reason string) int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), " ["+reason+"]:\n") +
		strings.Count(string(buf[:n]), " ["+reason+", ")
}

// Wait sleeps in 200 us steps until at least n goroutines are parked
// with reason; gives up after 10 s and exits 3.
func Wait(reason string, n int) {
	deadline := time.Now().Add(10 * time.Second)
	for Count(reason) < n {
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "timed out waiting for %d goroutines in [%s]\n", n, reason)
			os.Exit(3)
		}
		time.Sleep(200 * time.Microsecond)
	}
}
