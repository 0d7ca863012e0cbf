//! Prints what the program sees of the scheduler knobs through the public
//! API (Go's `runtime.GOMAXPROCS(0)` and `runtime.NumCPU()`):
//! `gomaxprocs=N ncpu=N`. `tests/knobs.rs` checks it against the inittrace
//! and against the CPU affinity the test itself reads.
#![no_std]
#![no_main]

rt0::main!(main);

fn main() {
    rt0::println!(
        "gomaxprocs={} ncpu={}",
        rt0::runtime::gomaxprocs(),
        rt0::runtime::num_cpu()
    );
}
