//! Deadlock detection with channels and timers (Go's `checkdead`): a
//! program whose goroutines can never run again ends with Go's report; a
//! program that only waits for timers is not deadlocked. The test
//! (tests/chan_deadlock.rs) asserts the exact report, the exit status and
//! what was printed before it.
//!
//! - `recv`, `send`, `select`: main blocks forever in one operation.
//! - `mixed`: goroutines 2..6 block in recv, send, select, `select! {}` and
//!   a `for` over a channel nobody closes; then main blocks in recv.
//! - `sleepers`: three goroutines sleep 50, 100, 150 ms while main waits
//!   on a WaitGroup: no deadlock, exit 0.
//! - `sleeper_then_block`: goroutine 2 is seen parked as `[sleep]`, wakes
//!   after 100 ms and blocks in recv; main blocks in send: the report
//!   comes only after the sleep, listing both channel waits.
//! - `sleeper_exits`: as above but the sleeper then exits.
//! - `many_sleepers N`: N goroutines sleep 1..30 ms and then block in recv.
//! - `stopped_ticker`: a stopped ticker must not keep a blocked program
//!   alive; `pending_after`: an unfired `after` timer delays the report
//!   until it fires.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::sync::Arc;
use chanutil::{Rng, arg, arg_u64, parked, usage, wait_parked};
use core::time::Duration;
use rt0::chan::Chan;
use rt0::runtime::go;
use rt0::sync::WaitGroup;

rt0::main!(main);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn main() {
    let c: Chan<u32> = Chan::new(0);
    match arg(1) {
        "recv" => {
            let _ = c.recv();
        }
        "send" => {
            let full: Chan<u32> = Chan::new(2);
            full.send(1).unwrap();
            full.send(2).unwrap();
            let _ = full.send(3);
        }
        "select" => {
            let d: Chan<u32> = Chan::new(0);
            rt0::select! {
                recv(c) -> _v => {},
                send(d, 1) -> _r => {},
            }
        }
        "mixed" => {
            let chans: [Chan<u32>; 4] = core::array::from_fn(|_| Chan::new(0));
            let [a, b, s1, r] = chans.clone();
            go(move || {
                let _ = a.recv();
            });
            go(move || {
                let _ = b.send(1);
            });
            go(move || {
                rt0::select! {
                    recv(s1) -> _v => {},
                    send(s1, 2) -> _r => {},
                }
            });
            go(|| rt0::select! {});
            go(move || for _ in &r {});
            wait_parked("chan receive", 2);
            wait_parked("chan send", 1);
            wait_parked("select", 1);
            wait_parked("select (no cases)", 1);
            rt0::println!("all parked");
            let _ = c.recv();
        }
        "sleepers" => {
            let wg = Arc::new(WaitGroup::new());
            wg.add(3);
            let t0 = rt0::time::nanotime();
            for d in [50, 100, 150] {
                let wg = wg.clone();
                go(move || {
                    rt0::time::sleep(ms(d));
                    wg.done();
                });
            }
            wg.wait();
            let took = rt0::time::nanotime() - t0;
            rt0::println!("sleepers done, took_150ms={}", took >= 150_000_000);
        }
        "sleeper_then_block" | "sleeper_exits" => {
            let block = arg(1) == "sleeper_then_block";
            let rx = c.clone();
            go(move || {
                rt0::time::sleep(ms(100));
                rt0::println!("sleeper woke");
                if block {
                    let _ = rx.recv();
                }
            });
            wait_parked("sleep", 1);
            rt0::println!("sleeper parked as [sleep]: {}", parked("sleep"));
            if block {
                let d: Chan<u32> = Chan::new(0);
                let _ = d.send(1);
            } else {
                let _ = c.recv();
            }
        }
        "many_sleepers" => {
            let n = arg_u64(2, 100);
            let mut rng = Rng::new(11);
            for _ in 0..n {
                let (rx, d) = (c.clone(), rng.range(1, 30));
                go(move || {
                    rt0::time::sleep(ms(d));
                    let _ = rx.recv();
                });
            }
            let _ = c.recv();
        }
        "stopped_ticker" => {
            let t = rt0::time::Ticker::new(ms(10));
            t.chan().recv().unwrap();
            t.chan().recv().unwrap();
            t.stop();
            rt0::println!("ticker stopped");
            let _ = c.recv();
        }
        "pending_after" => {
            let _t = rt0::time::after(ms(100));
            let _ = c.recv();
        }
        other => usage(other),
    }
    rt0::println!("main returned");
}
