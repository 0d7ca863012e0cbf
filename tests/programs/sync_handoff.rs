//! Two goroutines handing a WaitGroup, or a Mutex, back and forth: the
//! shape that lost semaphore wake-ups (issue 7). A lost wake-up leaves a
//! goroutine parked forever and the program dies with a false
//! `fatal error: all goroutines are asleep - deadlock!`.
//!
//! `wg N SPIN`: goroutine A calls `ping.done()` then `pong.wait()`, B calls
//! `ping.wait()` then `pong.done()`, N rounds; each side re-arms its own
//! WaitGroup (`add(1)`) only after its `wait` has returned and before it
//! lets the other side go on, so no `add` races a `wait`. After each
//! hand-off a side does SPIN pauses of busy work (default 0), long enough
//! (about 100) that the goroutine it just readied is stolen by the other P
//! and both run at once. Prints `rounds=N`.
//!
//! `mutex G N SPIN`: G goroutines each increment one Mutex-protected
//! counter N times, with SPIN pauses after each unlock (default 0), so the lock is always contended and
//! unlockers keep waking parked waiters. Prints `count=C want=G*N`.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use rt0::sync::{Mutex, WaitGroup};

rt0::main!(main);

/// Busy work between the hand-offs: long enough that the goroutine just
/// readied is taken by the other P and both sides run at once.
fn work(n: u64) {
    for _ in 0..n {
        core::hint::spin_loop();
    }
}

fn wg(rounds: u64, spin: u64) {
    let ping = Arc::new(WaitGroup::new());
    let pong = Arc::new(WaitGroup::new());
    let finished = Arc::new(WaitGroup::new());
    ping.add(1);
    pong.add(1);
    finished.add(2);
    {
        let (ping, pong, finished) = (ping.clone(), pong.clone(), finished.clone());
        rt0::runtime::go(move || {
            for _ in 0..rounds {
                ping.done();
                work(spin);
                pong.wait();
                pong.add(1);
            }
            finished.done();
        });
    }
    {
        let (ping, pong, finished) = (ping.clone(), pong.clone(), finished.clone());
        rt0::runtime::go(move || {
            for _ in 0..rounds {
                ping.wait();
                ping.add(1);
                pong.done();
                work(spin);
            }
            finished.done();
        });
    }
    finished.wait();
    rt0::println!("rounds={rounds}");
}

fn mutex(goroutines: u64, iters: u64, spin: u64) {
    let m = Arc::new(Mutex::new(0u64));
    let wg = Arc::new(WaitGroup::new());
    wg.add(goroutines as isize);
    for _ in 0..goroutines {
        let (m, wg) = (m.clone(), wg.clone());
        rt0::runtime::go(move || {
            for _ in 0..iters {
                *m.lock() += 1;
                work(spin);
            }
            wg.done();
        });
    }
    wg.wait();
    rt0::println!("count={} want={}", *m.lock(), goroutines * iters);
}

fn main() {
    match rt0::env::args().nth(1).unwrap_or(b"") {
        b"wg" => wg(
            rt0::env::arg(2).unwrap_or(100_000),
            rt0::env::arg(3).unwrap_or(0),
        ),
        b"mutex" => mutex(
            rt0::env::arg(2).unwrap_or(2),
            rt0::env::arg(3).unwrap_or(100_000),
            rt0::env::arg(4).unwrap_or(0),
        ),
        _ => {
            rt0::eprintln!("usage: sync_handoff wg [N] [SPIN] | mutex [G] [N] [SPIN]");
            rt0::process::exit(64);
        }
    }
}
