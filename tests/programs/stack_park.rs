//! What a parked goroutine costs: starts COUNT goroutines that each park
//! on one gate channel, and reads the process's own `/proc/self/status`
//! (`VmRSS`, `VmPTE`: resident memory and page tables) and the number of
//! lines of `/proc/self/maps` (mappings, against `vm.max_map_count`)
//! before the first one is started and while all of them are parked.
//! Then opens the gate and waits for every goroutine to finish.
//!
//! Usage: `stack_park COUNT`. Output, one line each, sizes in bytes:
//!
//! ```text
//! parked=COUNT
//! stack=DEFAULT_STACK_BYTES main_stack=MAIN_STACK_BYTES guard=madvise|mprotect
//! rss_before=B rss_parked=B rss_per_goroutine=B
//! pte_before=B pte_parked=B pte_per_goroutine=B
//! maps_before=N maps_parked=N
//! done=COUNT
//! ```
//!
//! The per-goroutine figures are (parked - before) / COUNT, rounded
//! down; `guard` is how stacks are guarded here (`MADV_GUARD_INSTALL`,
//! or `mprotect` with two mappings per stack: qemu-user, older kernels). `tests/stacks.rs` bounds them; README ("Stacks") quotes them.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt0::chan::Chan;
use rt0::sync::WaitGroup;

rt0::main!(main);

/// `KEY:   N kB` of /proc/self/status, in bytes.
fn status_bytes(status: &str, key: &str) -> u64 {
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {key} in /proc/self/status"));
    let kib: u64 = line
        .trim()
        .strip_suffix(" kB")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{key}: {line:?}"));
    kib * 1024
}

/// (VmRSS, VmPTE, mappings) now.
fn sample() -> (u64, u64, u64) {
    let status = rt0::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let maps = rt0::fs::read("/proc/self/maps").expect("read /proc/self/maps");
    let lines = maps.iter().filter(|&&b| b == b'\n').count() as u64;
    (
        status_bytes(&status, "VmRSS"),
        status_bytes(&status, "VmPTE"),
        lines,
    )
}

fn main() {
    let n: u64 = rt0::env::args()
        .nth(1)
        .and_then(|a| core::str::from_utf8(a).ok()?.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| {
            rt0::eprintln!("usage: stack_park COUNT");
            rt0::process::exit(64);
        });
    let gate: Chan<()> = Chan::new(0);
    let started = Arc::new(WaitGroup::new());
    let finished = Arc::new(WaitGroup::new());
    let ran = Arc::new(AtomicU64::new(0));
    started.add(n as isize);
    finished.add(n as isize);
    let (rss0, pte0, maps0) = sample();
    for _ in 0..n {
        let (gate, started, finished, ran) =
            (gate.clone(), started.clone(), finished.clone(), ran.clone());
        rt0::runtime::go(move || {
            started.done();
            let _ = gate.recv();
            ran.fetch_add(1, Relaxed);
            finished.done();
        });
    }
    started.wait();
    // Every goroutine has checked in and none can pass the gate: all n
    // are parked, each on its own stack.
    let (rss1, pte1, maps1) = sample();
    let parked = rt0::runtime::num_goroutine() - 1;
    gate.close();
    finished.wait();
    rt0::println!("parked={parked}");
    rt0::println!(
        "stack={} main_stack={} guard={}",
        rt0::runtime::default_stack_size(),
        rt0::runtime::main_stack_size(),
        rt0::export_test::stack_guard()
    );
    rt0::println!(
        "rss_before={rss0} rss_parked={rss1} rss_per_goroutine={}",
        rss1.saturating_sub(rss0) / n
    );
    rt0::println!(
        "pte_before={pte0} pte_parked={pte1} pte_per_goroutine={}",
        pte1.saturating_sub(pte0) / n
    );
    rt0::println!("maps_before={maps0} maps_parked={maps1}");
    rt0::println!("done={}", ran.load(Relaxed));
}
