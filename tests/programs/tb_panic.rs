//! A panic at a known depth, for the traceback tests (tests/traceback.rs,
//! against TB_FORMAT: frames, `created by`, GOTRACEBACK levels).
//!
//! Every function on the way is `#[inline(never)]` and passes its value
//! through `black_box`, every caller uses the callee's result after the
//! call (so no call is a tail call that would drop a frame), and each
//! mixes in its own constant (LLVM's function merging, which rustc
//! enables, would otherwise fold identical bodies into one symbol). The lines
//! the test expects are marked `// LINE:NAME`: the test reads this file
//! for them, so editing it does not break the test.
//!
//! - no argument: `main -> level1 -> level2 -> level3`, which panics
//!   (goroutine 1).
//! - `goroutine`: goroutines 2 and 3 park first at known depths
//!   (`parked_a -> parked_b -> chan receive`; `parked_c -> chan receive`),
//!   then main starts goroutine 4 (`spawned -> level1 -> level2 ->
//!   level3`, which panics) and parks itself in `main_wait` (chan receive).
//!   The report names goroutine 4 and `created by tb_panic::main in
//!   goroutine 1` at the `go` line.
//! - `many N`: N goroutines (default 8) wait on one flag and then panic at
//!   once from `level3`, beside a goroutine that spins (a hog): the load
//!   test checks there is exactly one report, complete.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use core::hint::black_box;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use chanutil::{arg, arg_u64, usage, wait_parked};
use rt0::chan::Chan;
use rt0::runtime::go;

rt0::main!(main);

/// The depth at which [`level3`] panics (main calls level1 with 1).
const PANIC_DEPTH: u64 = 3;

/// Panics when called at [`PANIC_DEPTH`] (always, but the compiler cannot
/// know).
#[inline(never)]
fn level3(depth: u64) -> u64 {
    if black_box(depth) == PANIC_DEPTH {
        panic!("tb_panic at depth {depth}"); // LINE:level3
    }
    depth
}

#[inline(never)]
fn level2(depth: u64) -> u64 {
    let r = level3(black_box(depth + 1)); // LINE:level2
    black_box(r).wrapping_add(0x200)
}

#[inline(never)]
fn level1(depth: u64) -> u64 {
    let r = level2(black_box(depth + 1)); // LINE:level1
    black_box(r).wrapping_add(0x100)
}

/// Goroutine 4 of `goroutine`: the panicking one.
#[inline(never)]
fn spawned() {
    let r = level1(black_box(1)); // LINE:spawned
    black_box(r ^ 0x400);
}

/// Goroutine 2 of `goroutine`, two user frames deep.
#[inline(never)]
fn parked_a(c: &Chan<u32>) {
    let r = parked_b(black_box(c)); // LINE:parked_a
    black_box(r ^ 0xa);
}

#[inline(never)]
fn parked_b(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0); // LINE:parked_b
    black_box(r ^ 0xb)
}

/// Goroutine 3 of `goroutine`, one user frame deep.
#[inline(never)]
fn parked_c(c: &Chan<u32>) {
    let r = c.recv().unwrap_or(0); // LINE:parked_c
    black_box(r ^ 0xc);
}

/// Where main parks in `goroutine`.
#[inline(never)]
fn main_wait(c: &Chan<u32>) {
    let r = c.recv().unwrap_or(0); // LINE:main_wait
    black_box(r ^ 0x3a17);
}

/// Set by main in `many`: every waiting goroutine panics.
static GO: AtomicBool = AtomicBool::new(false);
/// Goroutines of `many` waiting for [`GO`].
static WAITING: AtomicU64 = AtomicU64::new(0);
/// The hog of `many` stops when this is set (never: the panic ends all).
static STOP: AtomicBool = AtomicBool::new(false);

/// One of the panickers of `many`: waits for [`GO`] (yielding, so all
/// of them get to wait on every P), then panics from level3.
#[inline(never)]
fn panicker() {
    WAITING.fetch_add(1, Relaxed);
    while !GO.load(Relaxed) {
        rt0::runtime::gosched();
    }
    let r = level1(black_box(1));
    black_box(r ^ 0x9a);
}

/// The hog of `many`: a busy loop with no scheduling point.
#[inline(never)]
fn hog() {
    let mut x = 0u64;
    while !STOP.load(Relaxed) {
        x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

#[inline(never)]
fn main() {
    match arg(1) {
        "" => {
            let r = level1(black_box(1)); // LINE:main
            black_box(r ^ 0x3a1);
        }
        "goroutine" => {
            let never: Chan<u32> = Chan::new(0);
            let (a, b) = (never.clone(), never.clone());
            go(move || parked_a(&a)); // LINE:go_a
            go(move || parked_c(&b)); // LINE:go_c
            wait_parked("chan receive", 2);
            go(spawned); // LINE:go_spawned
            main_wait(&never);
        }
        "many" => {
            let n = arg_u64(2, 8);
            go(hog); // LINE:go_hog
            for _ in 0..n {
                go(panicker); // LINE:go_panicker
            }
            while WAITING.load(Relaxed) < n {
                rt0::runtime::gosched();
            }
            GO.store(true, Relaxed);
            // Main waits too; one of the panickers ends the program.
            let never: Chan<u32> = Chan::new(0);
            main_wait(&never);
        }
        other => usage(other),
    }
    rt0::println!("unreachable: no panic");
}
