//! The semaphore (src/sync/proto/sema.rs): the release order before issue
//! 7's fix loses a wake-up, and loom must find it; the fixed order never
//! does, with barging acquirers and several sleepers.

mod common;

use common::sync_proto::sema::Semaphore;
use common::{Order, Sema, model, model_fails};
use loom::thread;
use std::sync::Arc;

/// One acquirer, one releaser: the acquirer must return.
fn one_acquire_one_release(order: Order) {
    let s = Arc::new(Sema::new(order));
    let s2 = s.clone();
    let t = thread::spawn(move || s2.acquire());
    s.release();
    t.join().unwrap();
    assert_eq!(s.tokens(), 0);
}

#[test]
fn sema_old_release_loses_wakeup() {
    let msg = model_fails("sema_old_release_loses_wakeup", || {
        one_acquire_one_release(Order::BeforeFix)
    });
    // Every thread asleep: the acquirer parked, the main thread in join,
    // and the token left in `count`.
    assert!(msg.contains("deadlock"), "loom reported: {msg}");
}

#[test]
fn sema_fixed_one_acquire_one_release() {
    model("sema_fixed_one_acquire_one_release", || {
        one_acquire_one_release(Order::Fixed)
    });
}

/// Two sleepers, two releases: both return, no token is left or missing.
#[test]
fn sema_fixed_two_acquirers_two_releases() {
    model("sema_fixed_two_acquirers_two_releases", || {
        let s = Arc::new(Sema::new(Order::Fixed));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                thread::spawn(move || s.acquire())
            })
            .collect();
        s.release();
        s.release();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(s.tokens(), 0);
    });
}

/// A barging acquirer takes the token meant for a woken sleeper, which
/// must queue again and be woken by the barger's release. Both give the
/// one token back, so it is there at the end whoever went first.
#[test]
fn sema_fixed_barging_acquirer() {
    model("sema_fixed_barging_acquirer", || {
        let s = Arc::new(Sema::new(Order::Fixed));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                thread::spawn(move || {
                    s.acquire();
                    s.release();
                })
            })
            .collect();
        s.release();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(s.tokens(), 1);
    });
}
