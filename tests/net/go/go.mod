// The Go twins of rt0's network examples and test programs: the network
// tests (tests/net_*.rs) build them when go is installed and hold them to
// the same assertions as the rt0 programs, so every assertion that claims
// "as Go does" is checked against Go 1.19 on this machine. Standard
// library only: builds offline.
module rt0nettest

go 1.19
