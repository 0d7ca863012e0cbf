//! The unwinder (`debug::cfi`) in a freestanding program: its tables come
//! from linker.ld's `__rt0_eh_frame*` symbols, and the walks cross rt0's
//! asm frames as a traceback must. Prints one `self PC` line per frame of
//! a walk of main's own stack (through `leaf` <- `middle` <- `outer` <-
//! main ... <- goexit), then one `parked PC` line per frame of a goroutine
//! parked by an asynchronous preemption inside `spin_leaf` (mcall <- ...
//! <- rt0_async_preempt <- spin_leaf, looked up exactly, <- spin_outer
//! ... <- goexit). The pcs are lookup pcs; tests/cfi_walk.rs names them
//! with `addr2line -f`. Run with GOMAXPROCS=1 (the walk of the parked
//! goroutine needs it not to run meanwhile).
#![no_std]
#![no_main]

use core::hint::black_box;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use core::time::Duration;

rt0::main!(main);

/// Frames a walk may report.
const MAX_FRAMES: usize = 64;

/// Set once: the spinner leaves its loop.
static STOP: AtomicBool = AtomicBool::new(false);
/// Set by the spinner once it spins.
static SPINNING: AtomicBool = AtomicBool::new(false);

#[inline(never)]
fn leaf(out: &mut [u64]) -> usize {
    black_box(rt0::export_test::unwind_self(out)) + black_box(0)
}

#[inline(never)]
fn middle(out: &mut [u64]) -> usize {
    black_box(leaf(out)) + black_box(0)
}

#[inline(never)]
fn outer(out: &mut [u64]) -> usize {
    black_box(middle(out)) + black_box(0)
}

/// Spins with no runtime call until STOP: only a preemption takes its P.
#[inline(never)]
fn spin_leaf() -> u64 {
    SPINNING.store(true, Relaxed);
    let mut n = 0u64;
    while !STOP.load(Relaxed) {
        n = black_box(n).wrapping_add(1);
    }
    n
}

#[inline(never)]
fn spin_outer() -> u64 {
    black_box(spin_leaf()) + black_box(0)
}

fn main() {
    let mut pcs = [0u64; MAX_FRAMES];
    let n = outer(&mut pcs);
    for pc in &pcs[..n] {
        rt0::println!("self {pc:#x}");
    }
    rt0::runtime::go(|| {
        black_box(spin_outer());
    });
    // With one P the spinner runs only while main sleeps, and main runs
    // again only once sysmon has preempted it (after 10 ms).
    let mut n = 0;
    for _ in 0..200 {
        rt0::time::sleep(Duration::from_millis(20));
        if SPINNING.load(Relaxed) && rt0::export_test::preemptions() > 0 {
            n = rt0::export_test::unwind_runnable(&mut pcs);
            if n > 0 {
                break;
            }
        }
    }
    STOP.store(true, Relaxed);
    for pc in &pcs[..n] {
        rt0::println!("parked {pc:#x}");
    }
}
