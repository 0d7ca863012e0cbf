//! A busy program with 1,000 goroutines, for the traceback tests
//! (tests/traceback.rs, against TB_FORMAT): the test sends SIGQUIT (or
//! another dump signal) once it reads `ready`, and checks that the dump
//! lists all 1,002 goroutines, each with frames (or Go's `goroutine
//! running on other thread; stack unavailable`).
//!
//! - `PARKED` goroutines (996) park in `park_outer -> park_inner -> chan
//!   receive` on a channel nobody sends to;
//! - `SPINNERS` goroutines (4) spin in `spin_outer -> spin_inner`, a loop
//!   with no call and no scheduling point: only asynchronous preemption
//!   lets the others run, so at the signal they are running on an M or
//!   preempted (their innermost frame then follows `rt0_async_preempt`);
//! - main waits until every parked goroutine is parked and every spinner
//!   has started, starts the announcer and parks in `main_wait` (chan
//!   receive);
//! - the announcer waits until main is parked too, prints `ready` and
//!   parks in `announce_wait` (chan receive). Main cannot say `ready`
//!   itself: a signal sent when the line arrives may find it still on the
//!   way from the write to its park (seen in about one run of five when
//!   the signal follows the line at once), in `_print` rather than
//!   `main_wait`. The announcer is in that window instead, and the test
//!   takes it in any state.
//!
//! Functions are `#[inline(never)]`, use their callee's result (no tail
//! call) and mix in their own constant (no function merging).
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use core::hint::black_box;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::time::Duration;

use chanutil::wait_parked;
use rt0::chan::Chan;
use rt0::runtime::go;

rt0::main!(main);

/// Goroutines parked on the channel.
const PARKED: usize = 996;
/// Goroutines spinning: with main and the announcer, 1,002 goroutines in
/// all.
const SPINNERS: u64 = 4;

/// Spinners that have started.
static SPINNING: AtomicU64 = AtomicU64::new(0);

#[inline(never)]
fn park_inner(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0);
    black_box(r ^ 0x91)
}

#[inline(never)]
fn park_outer(c: &Chan<u32>) {
    let r = park_inner(black_box(c));
    black_box(r ^ 0x92);
}

/// A loop with no call in it: a leaf the SIGURG handler preempts.
#[inline(never)]
fn spin_inner(seed: u64) -> u64 {
    let mut x = seed;
    loop {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Never true in practice; keeps the loop's result live.
        if black_box(x) == 0x0123_4567_89ab_cdef {
            return x;
        }
    }
}

#[inline(never)]
fn spin_outer() {
    SPINNING.fetch_add(1, Relaxed);
    let r = spin_inner(black_box(0x93));
    black_box(r ^ 0x94);
}

#[inline(never)]
fn main_wait(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0);
    black_box(r ^ 0x95)
}

#[inline(never)]
fn main() {
    let never: Chan<u32> = Chan::new(0);
    for _ in 0..PARKED {
        let c = never.clone();
        go(move || park_outer(&c)); // LINE:go_park
    }
    wait_parked("chan receive", PARKED);
    for _ in 0..SPINNERS {
        go(spin_outer); // LINE:go_spin
    }
    while SPINNING.load(Relaxed) < SPINNERS {
        rt0::time::sleep(Duration::from_micros(200));
    }
    go(announce); // LINE:go_announce
    let r = main_wait(&never);
    rt0::println!("unreachable: {}", r);
}

/// Says `ready` once main is parked (with the parked goroutines, PARKED +
/// 1 in chan receive), then parks for good.
#[inline(never)]
fn announce() {
    wait_parked("chan receive", PARKED + 1);
    rt0::println!("ready");
    let never: Chan<u32> = Chan::new(0);
    let r = never.recv().unwrap_or(0);
    black_box(r ^ 0x96);
}
