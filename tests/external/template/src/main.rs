#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

rt0::main!(main);

/// Panics `depth` calls down (`myprog panic`: the traceback test).
#[inline(never)]
fn deep(depth: u32) -> u32 {
    if depth == 0 {
        panic!("deep enough");
    }
    core::hint::black_box(deep(depth - 1)) + 1
}

fn main() {
    if rt0::env::args().nth(1) == Some(b"panic") {
        let done = rt0::chan::Chan::<u32>::new(0);
        let tx = done.clone();
        rt0::runtime::go(move || {
            let _ = tx.send(deep(2));
        });
        let _ = done.recv();
    }
    let squares: Vec<u64> = (1..=10).map(|n| n * n).collect();
    let sum: u64 = squares.iter().sum();
    rt0::println!("hello from my own program");
    rt0::println!(
        "args={} sum of squares 1..=10 = {sum}",
        rt0::env::args().len()
    );
}
