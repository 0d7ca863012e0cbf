//! Counts are `usize` and deltas `isize`, as std would type them
//! (tests/api.rs): `gomaxprocs()`, `num_cpu()`, `num_goroutine()` index
//! and size collections with no cast, and `WaitGroup::add` takes a
//! negative delta, panicking as Go's does below zero.
//!
//! - no argument: one line of counts (GOMAXPROCS, CPUs, goroutines while
//!   8 are parked, a WaitGroup driven down by negative deltas).
//! - `wg_negative`: `add(2)` then `add(-3)`: Go's panic.
//! - `wg_range`: a delta beyond the 32-bit counter: its own panic.
#![no_std]
#![no_main]
extern crate alloc;

use alloc::vec::Vec;
use rt0::chan::Chan;
use rt0::runtime::{go, gomaxprocs, num_cpu, num_goroutine, scope};
use rt0::sync::WaitGroup;

rt0::main!(main);

fn main() {
    match rt0::env::args().nth(1) {
        Some(b"wg_negative") => {
            let wg = WaitGroup::new();
            wg.add(2);
            wg.add(-3);
            rt0::println!("unreachable");
        }
        Some(b"wg_range") => {
            let wg = WaitGroup::new();
            wg.add(1 << 40);
            rt0::println!("unreachable");
        }
        _ => counts(),
    }
}

fn counts() {
    // One slot per P and per CPU, no cast.
    let per_p: Vec<usize> = (0..gomaxprocs()).collect();
    let per_cpu = alloc::vec![0u8; num_cpu()];
    let before: usize = num_goroutine();
    let gate: Chan<()> = Chan::new(0);
    let parked = WaitGroup::new();
    const PARKED: usize = 8;
    parked.add(PARKED as isize);
    let finished = WaitGroup::new();
    finished.add(PARKED as isize);
    let during = scope(|s| {
        for _ in 0..PARKED {
            let (gate, parked, finished) = (&gate, &parked, &finished);
            s.go(move || {
                parked.done();
                let _ = gate.recv();
                finished.done();
            });
        }
        parked.wait();
        let during = num_goroutine();
        gate.close();
        during
    });
    finished.wait();
    // A group counted up by 10 and down by negative deltas.
    let wg = WaitGroup::new();
    wg.add(10);
    wg.add(-4);
    let (tx, rx) = (Chan::<usize>::new(6), Chan::<usize>::new(6));
    for i in 0..6 {
        let tx = tx.clone();
        go(move || tx.send(i).unwrap());
    }
    for _ in 0..6 {
        rx.send(tx.recv().unwrap()).unwrap();
        wg.add(-1);
    }
    wg.wait();
    rt0::println!(
        "per_p={} per_cpu={} before={before} during={during} wg_drained={}",
        per_p.len(),
        per_cpu.len(),
        rx.len()
    );
}
