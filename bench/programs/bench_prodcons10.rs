//! Benchmark `prodcons10`, twin of bench/go/prodcons10: P producers and P
//! consumers (P = GOMAXPROCS) on one channel of capacity 10; ns per value,
//! check= the sum. The body is bench/programs/benchutil/prodcons.rs.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "benchutil/mod.rs"]
mod benchutil;
#[path = "benchutil/prodcons.rs"]
mod prodcons;

rt0::main!(main);

fn main() {
    prodcons::main(10);
}
