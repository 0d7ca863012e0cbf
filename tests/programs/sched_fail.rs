//! Failures while the scheduler is busy, beyond `crash`'s quiet cases:
//!
//! - `panic_busy`: three goroutines spin on other Ps (yielding now and
//!   then) when a fourth panics: the whole process must end with the
//!   panic report and status 2, not hang on the spinners.
//! - `deadlock_many`: main waits on a WaitGroup, two goroutines wait for a
//!   Mutex main holds and one waits on a second WaitGroup; every goroutine
//!   is asleep, and the report lists each with its wait reason. The
//!   goroutines that exited normally before (a short fan-out) must not be
//!   listed.
#![no_std]
#![no_main]
extern crate alloc;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use rt0::sync::{Mutex, WaitGroup};

rt0::main!(main);

fn main() {
    match rt0::env::args().nth(1).unwrap_or(b"") {
        b"panic_busy" => {
            static SPINNING: AtomicU64 = AtomicU64::new(0);
            for _ in 0..3 {
                rt0::runtime::go(|| {
                    SPINNING.fetch_add(1, SeqCst);
                    let mut i: u64 = 0;
                    loop {
                        i = i.wrapping_add(1);
                        if i.is_multiple_of(100_000) {
                            rt0::runtime::gosched();
                        }
                        core::hint::black_box(i);
                    }
                });
            }
            while SPINNING.load(SeqCst) < 3 {
                rt0::runtime::gosched();
            }
            let wg = Arc::new(WaitGroup::new());
            wg.add(1);
            rt0::runtime::go(|| panic!("boom while others spin"));
            wg.wait();
        }
        b"deadlock_many" => {
            let fan = Arc::new(WaitGroup::new());
            fan.add(4);
            for _ in 0..4 {
                let fan = fan.clone();
                rt0::runtime::go(move || fan.done());
            }
            fan.wait();
            let m = Arc::new(Mutex::new(0u32));
            let guard = m.lock();
            for _ in 0..2 {
                let m = m.clone();
                rt0::runtime::go(move || *m.lock() += 1);
            }
            let other = Arc::new(WaitGroup::new());
            other.add(1);
            let o = other.clone();
            rt0::runtime::go(move || o.wait());
            let never = WaitGroup::new();
            never.add(1);
            never.wait();
            drop(guard);
        }
        _ => {
            rt0::eprintln!("usage: sched_fail panic_busy|deadlock_many");
            rt0::process::exit(64);
        }
    }
}
