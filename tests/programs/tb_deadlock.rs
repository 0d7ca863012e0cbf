//! A deadlock with goroutines parked at known depths, for the traceback
//! tests (tests/traceback.rs, against TB_FORMAT): checkdead's report lists
//! every goroutine with its frames.
//!
//! - a goroutine in `recv_outer -> recv_inner -> chan receive`;
//! - a goroutine in `wg_waiter -> WaitGroup::wait`;
//! - a goroutine in `select_outer -> select_middle -> select_inner ->
//!   select` (two channels nobody uses);
//! - once those three are parked, main prints `all parked` and blocks in
//!   `main_block -> chan receive`.
//!
//! As in tb_panic.rs, each function is `#[inline(never)]`, uses its
//! callee's result after the call (no tail call) and mixes in its own
//! constant (no function merging); the lines the test expects carry a
//! `// LINE:NAME` marker, which the test looks up in this file.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use core::hint::black_box;

use chanutil::wait_parked;
use rt0::chan::Chan;
use rt0::runtime::go;
use rt0::sync::WaitGroup;

rt0::main!(main);

#[inline(never)]
fn recv_inner(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0); // LINE:recv_inner
    black_box(r ^ 0x21)
}

#[inline(never)]
fn recv_outer(c: &Chan<u32>) {
    let r = recv_inner(black_box(c)); // LINE:recv_outer
    black_box(r ^ 0x22);
}

#[inline(never)]
fn wg_waiter(wg: &WaitGroup) {
    wg.wait(); // LINE:wg_waiter
    black_box(0x31u32);
}

#[inline(never)]
fn select_inner(a: &Chan<u32>, b: &Chan<u32>) -> u32 {
    let got;
    rt0::select! { // LINE:select_inner
        recv(a) -> v => got = v.unwrap_or(1),
        recv(b) -> v => got = v.unwrap_or(2),
    }
    black_box(got ^ 0x41)
}

#[inline(never)]
fn select_middle(a: &Chan<u32>, b: &Chan<u32>) -> u32 {
    let r = select_inner(black_box(a), b); // LINE:select_middle
    black_box(r ^ 0x42)
}

#[inline(never)]
fn select_outer(a: &Chan<u32>, b: &Chan<u32>) {
    let r = select_middle(black_box(a), b); // LINE:select_outer
    black_box(r ^ 0x43);
}

#[inline(never)]
fn main_block(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0); // LINE:main_block
    black_box(r ^ 0x51)
}

#[inline(never)]
fn main() {
    let never: Chan<u32> = Chan::new(0);
    let (a, b) = (Chan::<u32>::new(0), Chan::<u32>::new(0));
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let rx = never.clone();
    go(move || recv_outer(&rx)); // LINE:go_recv
    let w = wg.clone();
    go(move || wg_waiter(&w)); // LINE:go_wg
    go(move || select_outer(&a, &b)); // LINE:go_select
    wait_parked("chan receive", 1);
    wait_parked("sync.WaitGroup.Wait", 1);
    wait_parked("select", 1);
    rt0::println!("all parked");
    let r = main_block(&never); // LINE:main
    rt0::println!("unreachable: {}", r);
    wg.done();
}
