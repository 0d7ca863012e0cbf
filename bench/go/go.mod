// The Go twins of rt0's benchmark programs, and the hello world the start-up
// figures compare against. Standard library only: builds offline.
module rt0bench

go 1.19
