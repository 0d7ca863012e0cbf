//! Mutex and Once under contention.
//!
//! `mutex G ITERS`: G goroutines each take the lock ITERS times and, inside
//! the critical section, increment one counter, sometimes yield (the lock
//! stays held across `gosched`), then increment a second counter. A holder
//! that ever sees the two differ has caught another goroutine inside the
//! section (`torn`). Prints `count=C want=G*ITERS torn=T`.
//!
//! `once N`: N goroutines start, meet at a gate, and all call
//! `call_once(f)`; f yields several times before publishing its value, so
//! callers arrive while it runs and must wait for it. Prints
//! `runs=R callers=N saw=S waited=W`: f ran R times (must be 1), S callers
//! saw its value on return (must be N), W arrived while f was running.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use rt0::sync::{Mutex, Once, WaitGroup};

rt0::main!(main);

fn mutex(goroutines: u64, iters: u64) {
    let m = Arc::new(Mutex::new((0u64, 0u64)));
    let torn = Arc::new(AtomicU64::new(0));
    let wg = Arc::new(WaitGroup::new());
    wg.add(goroutines as isize);
    for g in 0..goroutines {
        let (m, torn, wg) = (m.clone(), torn.clone(), wg.clone());
        rt0::runtime::go(move || {
            for i in 0..iters {
                {
                    let mut c = m.lock();
                    if c.0 != c.1 {
                        torn.fetch_add(1, SeqCst);
                    }
                    c.0 += 1;
                    if (g + i) % 5 == 0 {
                        rt0::runtime::gosched(); // holding the lock
                    }
                    c.1 += 1;
                }
                if (g * 7 + i) % 3 == 0 {
                    rt0::runtime::gosched();
                }
            }
            wg.done();
        });
    }
    wg.wait();
    let (a, b) = *m.lock();
    if a != b {
        torn.fetch_add(1, SeqCst);
    }
    rt0::println!(
        "count={a} want={} torn={}",
        goroutines * iters,
        torn.load(SeqCst)
    );
}

fn once(callers: u64) {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    static VALUE: AtomicU64 = AtomicU64::new(0);
    static IN_F: AtomicBool = AtomicBool::new(false);
    let once = Arc::new(Once::new());
    let saw = Arc::new(AtomicU64::new(0));
    let waited = Arc::new(AtomicU64::new(0));
    let gate = Arc::new(WaitGroup::new());
    let wg = Arc::new(WaitGroup::new());
    gate.add(1);
    wg.add(callers as isize);
    for _ in 0..callers {
        let (once, saw, waited, gate, wg) = (
            once.clone(),
            saw.clone(),
            waited.clone(),
            gate.clone(),
            wg.clone(),
        );
        rt0::runtime::go(move || {
            gate.wait();
            if IN_F.load(SeqCst) {
                waited.fetch_add(1, SeqCst);
            }
            once.call_once(|| {
                IN_F.store(true, SeqCst);
                RUNS.fetch_add(1, SeqCst);
                for _ in 0..20 {
                    rt0::runtime::gosched();
                }
                VALUE.store(0x5eed, SeqCst);
                IN_F.store(false, SeqCst);
            });
            if VALUE.load(SeqCst) == 0x5eed {
                saw.fetch_add(1, SeqCst);
            }
            wg.done();
        });
    }
    gate.done();
    wg.wait();
    rt0::println!(
        "runs={} callers={callers} saw={} waited={}",
        RUNS.load(SeqCst),
        saw.load(SeqCst),
        waited.load(SeqCst)
    );
}

fn main() {
    match rt0::env::args().nth(1).unwrap_or(b"") {
        b"mutex" => mutex(
            rt0::env::arg(2).unwrap_or(100),
            rt0::env::arg(3).unwrap_or(1000),
        ),
        b"once" => once(rt0::env::arg(2).unwrap_or(1000)),
        _ => {
            rt0::eprintln!("usage: sched_sync mutex [G] [ITERS] | once [N]");
            rt0::process::exit(64);
        }
    }
}
