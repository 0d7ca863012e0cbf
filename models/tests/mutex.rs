//! sync.Mutex (src/sync/proto/mutex.rs over the fixed semaphore): mutual
//! exclusion (loom's UnsafeCell reports two holders at once), no lost
//! wake-up of a queued locker, the WOKEN mark kept consistent (the
//! protocol throws otherwise), with one spin round so the spinner's path
//! is explored too; and the old semaphore's lost wake-up shows here.

mod common;

use common::sync_proto::mutex::{lock, unlock};
use common::{Order, Sema, model, model_fails};
use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicU32, Ordering::Relaxed};
use loom::thread;
use std::sync::Arc;

struct Counter {
    state: AtomicU32,
    sema: Sema,
    n: UnsafeCell<u32>,
}

// SAFETY: `n` is touched only under the mutex, which is what loom checks.
unsafe impl Sync for Counter {}

impl Counter {
    fn new(order: Order) -> Self {
        Counter {
            state: AtomicU32::new(0),
            sema: Sema::new(order),
            n: UnsafeCell::new(0),
        }
    }
    fn incr(&self) {
        lock(&self.state, &self.sema);
        // SAFETY: the mutex is held; loom reports a concurrent access.
        self.n.with_mut(|n| unsafe { *n += 1 });
        unlock(&self.state, &self.sema);
    }
}

fn contended(order: Order, threads: u32, iters: u32) {
    let c = Arc::new(Counter::new(order));
    let ts: Vec<_> = (0..threads)
        .map(|_| {
            let c = c.clone();
            thread::spawn(move || {
                for _ in 0..iters {
                    c.incr();
                }
            })
        })
        .collect();
    for t in ts {
        t.join().unwrap();
    }
    // SAFETY: every thread has been joined.
    let n = c.n.with(|n| unsafe { *n });
    assert_eq!(n, threads * iters);
    assert_eq!(c.state.load(Relaxed), 0, "state left non-zero");
}

#[test]
fn mutex_two_threads_two_locks_each() {
    model("mutex_two_threads_two_locks_each", || {
        contended(Order::Fixed, 2, 2)
    });
}

#[test]
fn mutex_three_threads() {
    model("mutex_three_threads", || contended(Order::Fixed, 3, 1));
}

#[test]
fn mutex_old_sema_loses_wakeup() {
    let msg = model_fails("mutex_old_sema_loses_wakeup", || {
        contended(Order::BeforeFix, 2, 2)
    });
    assert!(msg.contains("deadlock"), "loom reported: {msg}");
}
