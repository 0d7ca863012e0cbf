//! A network wake-up while every P is busy (Go's sysmon: when nobody has
//! polled the network for 10 ms, sysmon polls it and injects the ready
//! goroutines). `net_busy SPIN_MS`:
//!
//! 1. binds 127.0.0.1:0, prints `ready ADDR`, accepts one connection
//!    (the test's);
//! 2. starts GOMAXPROCS spinners that compute for SPIN_MS, yielding every
//!    ~50 us (so no P is ever idle to poll the network, and the Ps'
//!    scheduling rounds always find a runnable spinner first);
//! 3. main reads one byte from the connection; a watcher goroutine waits
//!    until main is parked in the poller, then prints `parked`;
//! 4. the test sends one byte; main echoes it at once, and once the
//!    spinners are done prints `busy_wake spin_ms=N replied_during_spin=1`
//!    and `ok`.
//!
//! tests/net_programs.rs measures the round trip of that byte: it must be
//! far below SPIN_MS (only sysmon's poll can find main's wake-up while
//! the spinners run). The Go twin (tests/net/go/net_busy) does the same.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use chanutil::{arg_u64, wait_parked};
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use rt0::io::{Read, Write};
use rt0::net::TcpListener;
use rt0::runtime::{go, gomaxprocs, gosched};
use rt0::sync::WaitGroup;
use rt0::time::nanotime;

rt0::main!(main);

const YIELD_EVERY_NS: i64 = 50_000;

fn check<T, E: core::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        rt0::eprintln!("net_busy: {what}: {e}");
        rt0::process::exit(1)
    })
}

fn main() {
    let spin_ms = arg_u64(1, 3000) as i64;
    let ln = check(TcpListener::bind("127.0.0.1:0"), "bind");
    rt0::println!("ready {}", check(ln.local_addr(), "local_addr"));
    let (mut c, _) = check(ln.accept(), "accept");

    let end = nanotime() + spin_ms * 1_000_000;
    let spinning = Arc::new(AtomicBool::new(true));
    let wg = Arc::new(WaitGroup::new());
    for _ in 0..gomaxprocs() {
        wg.add(1);
        let (wg, spinning) = (wg.clone(), spinning.clone());
        go(move || {
            let mut x: u64 = 1;
            loop {
                let now = nanotime();
                if now > end {
                    break;
                }
                while nanotime() < now + YIELD_EVERY_NS {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                }
                gosched();
            }
            core::hint::black_box(x);
            spinning.store(false, Relaxed);
            wg.done();
        });
    }
    go(|| {
        wait_parked("IO wait", 1);
        rt0::println!("parked");
    });
    let mut b = [0u8; 1];
    let n = check(c.read(&mut b), "read");
    check(c.write_all(&b[..n]), "write");
    let during = spinning.load(Relaxed);
    wg.wait();
    rt0::println!(
        "busy_wake spin_ms={spin_ms} replied_during_spin={}",
        u32::from(during && n == 1)
    );
    rt0::println!("ok");
}
