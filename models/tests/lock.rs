//! The runtime lock and note (src/sched/proto/lock.rs) over a loom futex:
//! mutual exclusion, no sleeper stranded in the kernel (loom reports a
//! deadlock if one is), the word back to UNLOCKED; a note's wake-up is
//! never lost whether it comes before or after the sleep, and a cleared
//! note can be reused as an idle M's park note is.

mod common;

use common::model;
use common::sched_proto::lock::{UNLOCKED, lock, note_clear, note_sleep, note_wakeup, unlock};
use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicU32, Ordering::Relaxed};
use loom::thread;
use std::sync::Arc;

struct Counter {
    key: AtomicU32,
    n: UnsafeCell<u32>,
}

// SAFETY: `n` is touched only under the lock, which loom checks.
unsafe impl Sync for Counter {}

fn contended(threads: u32, iters: u32) {
    let c = Arc::new(Counter {
        key: AtomicU32::new(UNLOCKED),
        n: UnsafeCell::new(0),
    });
    let ts: Vec<_> = (0..threads)
        .map(|_| {
            let c = c.clone();
            thread::spawn(move || {
                for _ in 0..iters {
                    lock(&c.key);
                    // SAFETY: the lock is held; loom reports a race if not.
                    c.n.with_mut(|n| unsafe { *n += 1 });
                    unlock(&c.key);
                }
            })
        })
        .collect();
    for t in ts {
        t.join().unwrap();
    }
    // SAFETY: all joined.
    assert_eq!(c.n.with(|n| unsafe { *n }), threads * iters);
    assert_eq!(c.key.load(Relaxed), UNLOCKED);
}

#[test]
fn lock_two_threads_two_locks_each() {
    model("lock_two_threads_two_locks_each", || contended(2, 2));
}

#[test]
fn lock_three_threads() {
    model("lock_three_threads", || contended(3, 1));
}

#[test]
fn note_wakeup_races_sleep() {
    model("note_wakeup_races_sleep", || {
        let n = Arc::new(AtomicU32::new(0));
        let n2 = n.clone();
        let t = thread::spawn(move || note_wakeup(&n2));
        note_sleep(&n);
        t.join().unwrap();
    });
}

/// An M's park note, twice: the waker hands over, the sleeper clears and
/// sleeps again; `wakeup` on a note not yet cleared would throw.
#[test]
fn note_reused_after_clear() {
    model("note_reused_after_clear", || {
        let park = Arc::new(AtomicU32::new(0));
        let back = Arc::new(AtomicU32::new(0));
        let (p2, b2) = (park.clone(), back.clone());
        let waker = thread::spawn(move || {
            for _ in 0..2 {
                note_wakeup(&p2);
                note_sleep(&b2);
                note_clear(&b2);
            }
        });
        for _ in 0..2 {
            note_sleep(&park);
            note_clear(&park);
            note_wakeup(&back);
        }
        waker.join().unwrap();
    });
}
