//! The signal queue's hand-off (src/sched/proto/sigqueue.rs): signal
//! handlers on other threads post signals while the one receiver takes
//! the pending mask and sleeps on the sequence word when it is empty.
//! A lost signal is a receiver asleep with a bit still pending: loom
//! reports the deadlock (every other thread has finished).

mod common;

use common::sched_proto::futex_wait;
use common::sched_proto::sigqueue::{FOREVER, post, post_bump_first, take};
use common::{model, model_fails};
use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};
use loom::thread;
use std::sync::Arc;

/// Bits of the signals the models post (SIGINT and SIGTERM).
const SIGINT_BIT: u64 = 1 << 1;
const SIGTERM_BIT: u64 = 1 << 14;

struct Queue {
    pending: AtomicU64,
    seq: AtomicU32,
}

impl Queue {
    fn new() -> Arc<Queue> {
        Arc::new(Queue {
            pending: AtomicU64::new(0),
            seq: AtomicU32::new(0),
        })
    }

    /// The receiver: takes masks until it has seen every bit of `want`.
    fn receive_all(&self, want: u64) {
        let mut got = 0;
        while got != want {
            let bits = take(&self.pending, &self.seq, |seq, seen| {
                let _ = futex_wait(seq, seen, FOREVER);
            });
            assert_ne!(bits, 0, "take returned an empty mask");
            assert_eq!(bits & !want, 0, "a signal nobody sent");
            got |= bits;
        }
    }
}

/// One handler posts SIGINT while the receiver looks: it must be taken.
#[test]
fn sigqueue_one_signal_is_received() {
    model("sigqueue_one_signal_is_received", || {
        let q = Queue::new();
        let q2 = q.clone();
        let rx = thread::spawn(move || q2.receive_all(SIGINT_BIT));
        post(&q.pending, &q.seq, SIGINT_BIT);
        rx.join().unwrap();
        assert_eq!(q.pending.load(SeqCst), 0);
    });
}

/// Two handlers on two threads post two signals: both are taken, in one
/// mask or in two.
#[test]
fn sigqueue_two_handlers_both_received() {
    model("sigqueue_two_handlers_both_received", || {
        let q = Queue::new();
        let (q2, q3) = (q.clone(), q.clone());
        let rx = thread::spawn(move || q2.receive_all(SIGINT_BIT | SIGTERM_BIT));
        let h = thread::spawn(move || post(&q3.pending, &q3.seq, SIGTERM_BIT));
        post(&q.pending, &q.seq, SIGINT_BIT);
        h.join().unwrap();
        rx.join().unwrap();
    });
}

/// One handler posts SIGINT, then SIGTERM: the receiver may take the
/// first, sleep, and must be woken again for the second.
#[test]
fn sigqueue_post_after_take_wakes_again() {
    model("sigqueue_post_after_take_wakes_again", || {
        let q = Queue::new();
        let q2 = q.clone();
        let rx = thread::spawn(move || q2.receive_all(SIGINT_BIT | SIGTERM_BIT));
        post(&q.pending, &q.seq, SIGINT_BIT);
        post(&q.pending, &q.seq, SIGTERM_BIT);
        rx.join().unwrap();
        assert_eq!(q.pending.load(SeqCst), 0);
    });
}

/// The must-fail variant: the handler bumps `seq` (and wakes) before it
/// sets the bit. The receiver reads the new `seq`, swaps an empty mask
/// and sleeps on a value no later post changes: the signal is lost.
#[test]
fn sigqueue_bump_before_bit_loses_signal() {
    let msg = model_fails("sigqueue_bump_before_bit_loses_signal", || {
        let q = Queue::new();
        let q2 = q.clone();
        let rx = thread::spawn(move || q2.receive_all(SIGINT_BIT));
        post_bump_first(&q.pending, &q.seq, SIGINT_BIT);
        rx.join().unwrap();
    });
    assert!(
        msg.to_lowercase().contains("deadlock"),
        "expected loom to report the lost wake-up as a deadlock: {msg}"
    );
}
