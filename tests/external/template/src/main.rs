#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

rt0::main!(main);

fn main() {
    let squares: Vec<u64> = (1..=10).map(|n| n * n).collect();
    let sum: u64 = squares.iter().sum();
    rt0::println!("hello from my own program");
    rt0::println!(
        "args={} sum of squares 1..=10 = {sum}",
        rt0::env::args().len()
    );
}
