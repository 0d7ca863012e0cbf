//! Benchmark `prodcons100`, twin of bench/go/prodcons100: P producers and P
//! consumers (P = GOMAXPROCS) on one channel of capacity 100; ns per value,
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
    prodcons::main(100);
}
