//! A randomized stress run: W worker goroutines, for MS milliseconds, each
//! picking at random (a per-worker xorshift) among: a Mutex-protected
//! update (two counters bumped with a possible `gosched` between them,
//! lock held), an atomic add, a `gosched`, spawning a child goroutine
//! tracked by a WaitGroup, a short spin, and a nested fan-out (three
//! goroutines joined by a private WaitGroup). Every worker tallies what it
//! did; at the end the shared counters must equal the sums of the tallies
//! exactly, and the Mutex's two counters must never have been seen apart.
//!
//! Usage: `sched_stress [MS] [W]`; prints `ok ops=.. mutex=.. atomic=..
//! children=.. nested=.. yields=..` and exits 0, or a `FAIL:` line and
//! exits 1.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use rt0::sync::{Mutex, WaitGroup};

rt0::main!(main);

/// Marsaglia's xorshift64: enough randomness to shuffle the interleavings.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[derive(Default)]
struct Tally {
    ops: u64,
    mutex: u64,
    atomic: u64,
    children: u64,
    nested: u64,
    yields: u64,
}

/// What every worker shares.
struct Shared {
    pair: Mutex<(u64, u64)>,
    torn: AtomicU64,
    atomic: AtomicU64,
    child_runs: AtomicU64,
    nested_runs: AtomicU64,
    children: WaitGroup,
    totals: Mutex<Tally>,
}

fn worker(sh: &Arc<Shared>, seed: u64, deadline: i64) {
    let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut t = Tally::default();
    loop {
        // The clock is a syscall under qemu: look at it every 32 ops.
        if t.ops.is_multiple_of(32) && rt0::time::nanotime() > deadline {
            break;
        }
        t.ops += 1;
        let r = rng.next();
        match r % 16 {
            0..=5 => {
                let mut p = sh.pair.lock();
                if p.0 != p.1 {
                    sh.torn.fetch_add(1, SeqCst);
                }
                p.0 += 1;
                if (r >> 8).is_multiple_of(8) {
                    rt0::runtime::gosched();
                }
                p.1 += 1;
                t.mutex += 1;
            }
            6..=8 => {
                sh.atomic.fetch_add(1, SeqCst);
                t.atomic += 1;
            }
            9..=10 => {
                rt0::runtime::gosched();
                t.yields += 1;
            }
            11 => {
                sh.children.add(1);
                let sh2 = sh.clone();
                let yield_first = (r >> 8).is_multiple_of(2);
                rt0::runtime::go(move || {
                    if yield_first {
                        rt0::runtime::gosched();
                    }
                    sh2.child_runs.fetch_add(1, SeqCst);
                    sh2.children.done();
                });
                t.children += 1;
            }
            12..=13 => {
                for _ in 0..((r >> 8) % 2000) {
                    core::hint::spin_loop();
                }
            }
            _ => {
                let wg = Arc::new(WaitGroup::new());
                wg.add(3);
                for _ in 0..3 {
                    let (wg, sh2) = (wg.clone(), sh.clone());
                    rt0::runtime::go(move || {
                        sh2.nested_runs.fetch_add(1, SeqCst);
                        wg.done();
                    });
                }
                wg.wait();
                t.nested += 3;
            }
        }
    }
    let mut tot = sh.totals.lock();
    tot.ops += t.ops;
    tot.mutex += t.mutex;
    tot.atomic += t.atomic;
    tot.children += t.children;
    tot.nested += t.nested;
    tot.yields += t.yields;
}

fn main() {
    let ms: i64 = rt0::env::arg(1).unwrap_or(10_000);
    let workers: u64 = rt0::env::arg(2).unwrap_or(64);
    let sh = Arc::new(Shared {
        pair: Mutex::new((0, 0)),
        torn: AtomicU64::new(0),
        atomic: AtomicU64::new(0),
        child_runs: AtomicU64::new(0),
        nested_runs: AtomicU64::new(0),
        children: WaitGroup::new(),
        totals: Mutex::new(Tally::default()),
    });
    let deadline = rt0::time::nanotime() + ms * 1_000_000;
    let done = Arc::new(WaitGroup::new());
    done.add(workers as isize);
    for w in 0..workers {
        let (sh, done) = (sh.clone(), done.clone());
        rt0::runtime::go(move || {
            worker(&sh, w + 1, deadline);
            done.done();
        });
    }
    done.wait();
    sh.children.wait();
    let tot = sh.totals.lock();
    let (a, b) = *sh.pair.lock();
    let checks = [
        ("mutex.first", a, tot.mutex),
        ("mutex.second", b, tot.mutex),
        ("atomic", sh.atomic.load(SeqCst), tot.atomic),
        ("children", sh.child_runs.load(SeqCst), tot.children),
        ("nested", sh.nested_runs.load(SeqCst), tot.nested),
        ("torn", sh.torn.load(SeqCst), 0),
    ];
    let mut ok = true;
    for (name, got, want) in checks {
        if got != want {
            rt0::println!("FAIL: {name}={got} want={want}");
            ok = false;
        }
    }
    if !ok {
        rt0::process::exit(1);
    }
    rt0::println!(
        "ok ops={} mutex={} atomic={} children={} nested={} yields={}",
        tot.ops,
        tot.mutex,
        tot.atomic,
        tot.children,
        tot.nested,
        tot.yields
    );
}
