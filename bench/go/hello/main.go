// hello: the Go side of the start-up figures (scripts/figures.sh): binary
// size, wall-time start-up and instructions from _start to exit of the
// canonical Go hello world, against rt0's examples/hello.rs.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
