//! WaitGroup (src/sync/proto/waitgroup.rs over the fixed semaphore): a
//! waiter returns exactly when the counter has reached zero, sees what
//! the `done`s published, and no waiter is left asleep; with the
//! semaphore's old release order, loom finds the lost wake-up here too.

mod common;

use common::sync_proto::waitgroup::{add, wait};
use common::{Order, Sema, model, model_fails};
use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use loom::thread;
use std::sync::Arc;

struct Wg {
    state: AtomicU64,
    sema: Sema,
}

impl Wg {
    fn new(order: Order) -> Self {
        Wg {
            state: AtomicU64::new(0),
            sema: Sema::new(order),
        }
    }
    fn add(&self, d: i32) {
        add(&self.state, &self.sema, d);
    }
    fn done(&self) {
        self.add(-1);
    }
    fn wait(&self) {
        wait(&self.state, &self.sema);
    }
}

/// Two workers `done`; the main thread waits and must see both results
/// (relaxed stores: the WaitGroup's own ordering must publish them).
fn two_workers(order: Order) {
    let wg = Arc::new(Wg::new(order));
    let work = Arc::new(AtomicUsize::new(0));
    wg.add(2);
    let ts: Vec<_> = (0..2)
        .map(|_| {
            let (wg, work) = (wg.clone(), work.clone());
            thread::spawn(move || {
                work.fetch_add(1, Relaxed);
                wg.done();
            })
        })
        .collect();
    wg.wait();
    assert_eq!(work.load(Relaxed), 2, "wait returned before every done");
    for t in ts {
        t.join().unwrap();
    }
}

#[test]
fn waitgroup_two_workers_one_waiter() {
    model("waitgroup_two_workers_one_waiter", || {
        two_workers(Order::Fixed)
    });
}

#[test]
fn waitgroup_old_sema_loses_wakeup() {
    let msg = model_fails("waitgroup_old_sema_loses_wakeup", || {
        two_workers(Order::BeforeFix)
    });
    assert!(msg.contains("deadlock"), "loom reported: {msg}");
}

/// Two waiters, one `done`: both are released, the word is 0 again.
#[test]
fn waitgroup_two_waiters() {
    model("waitgroup_two_waiters", || {
        let wg = Arc::new(Wg::new(Order::Fixed));
        wg.add(1);
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let wg = wg.clone();
                thread::spawn(move || wg.wait())
            })
            .collect();
        wg.done();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(wg.state.load(Relaxed), 0);
    });
}

/// The hand-off of the program test (tests/programs/sync_handoff.rs `wg`), two
/// rounds: each side re-arms its own group after its wait returns.
#[test]
fn waitgroup_handoff_two_rounds() {
    model("waitgroup_handoff_two_rounds", || {
        let ping = Arc::new(Wg::new(Order::Fixed));
        let pong = Arc::new(Wg::new(Order::Fixed));
        ping.add(1);
        pong.add(1);
        let (p2, q2) = (ping.clone(), pong.clone());
        let b = thread::spawn(move || {
            for _ in 0..2 {
                p2.wait();
                p2.add(1);
                q2.done();
            }
        });
        for _ in 0..2 {
            ping.done();
            pong.wait();
            pong.add(1);
        }
        b.join().unwrap();
    });
}
