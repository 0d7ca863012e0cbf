//! The runtime's `src/sched/proto` files, compiled over loom: this module
//! plays the part of `src/sched/proto/mod.rs`, with a loom model of
//! `futex(2)`.
#![allow(dead_code, unused_imports)]

use std::collections::VecDeque;
use std::sync::Arc;

pub use loom::sync::atomic::{AtomicBool, AtomicI64, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use loom::sync::{Condvar, Mutex};

pub fn throw(msg: &str) -> ! {
    panic!("fatal error: {msg}")
}

/// One busy round (the runtime makes 4 on a multi-CPU machine): enough to
/// explore a lock taken while spinning, as well as after sleeping.
pub fn active_spin_rounds() -> u32 {
    1
}

/// The store-load order that SeqCst accesses give in the runtime (loom
/// models them only as AcqRel, and would report false lost wake-ups).
pub fn store_load_fence() {
    loom::sync::atomic::fence(Ordering::SeqCst);
}

pub fn procyield() {
    loom::thread::yield_now();
}

pub fn osyield() {
    loom::thread::yield_now();
}

/// The kernel's futex table, for one model execution: who sleeps on which
/// word. The kernel's compare-and-sleep is atomic with respect to wakes of
/// the same word; here the table's lock gives that.
struct Table {
    sleepers: Mutex<VecDeque<(usize, Arc<AtomicBool>)>>,
    cv: Condvar,
}

loom::lazy_static! {
    static ref FUTEX: Table = Table {
        sleepers: Mutex::new(VecDeque::new()),
        cv: Condvar::new(),
    };
}

/// `FUTEX_WAIT` without a timeout: returns at once unless `*addr == val`,
/// else sleeps until a `futex_wake` on `addr` picks this sleeper. (The
/// kernel may also return spuriously; the model does not, which only
/// narrows what it explores in the protocols' favour where they loop.)
pub fn futex_wait(addr: &AtomicU32, val: u32, ns: i64) -> Result<(), ()> {
    assert!(ns < 0, "timed futex waits are not modelled");
    let key = addr as *const AtomicU32 as usize;
    let mut q = FUTEX.sleepers.lock().unwrap();
    if addr.load(Ordering::SeqCst) != val {
        return Err(());
    }
    let woken = Arc::new(AtomicBool::new(false));
    q.push_back((key, woken.clone()));
    while !woken.load(Ordering::Relaxed) {
        q = FUTEX.cv.wait(q).unwrap();
    }
    Ok(())
}

/// `FUTEX_WAKE`: wakes up to `n` sleepers on `addr`, oldest first.
pub fn futex_wake(addr: &AtomicU32, n: u32) -> usize {
    let key = addr as *const AtomicU32 as usize;
    let mut q = FUTEX.sleepers.lock().unwrap();
    let mut woke = 0;
    q.retain(|(k, w)| {
        if *k == key && woke < n as usize {
            w.store(true, Ordering::Relaxed);
            woke += 1;
            false
        } else {
            true
        }
    });
    drop(q);
    if woke > 0 {
        FUTEX.cv.notify_all();
    }
    woke
}

#[path = "../../../src/sched/proto/lock.rs"]
pub mod lock;

#[path = "../../../src/sched/proto/poller.rs"]
pub mod poller;

#[path = "../../../src/sched/proto/psyscall.rs"]
pub mod psyscall;

#[path = "../../../src/sched/proto/runq.rs"]
pub mod runq;

#[path = "../../../src/sched/proto/sigpending.rs"]
pub mod sigpending;

#[path = "../../../src/sched/proto/sigqueue.rs"]
pub mod sigqueue;

#[path = "../../../src/sched/proto/spinning.rs"]
pub mod spinning;
