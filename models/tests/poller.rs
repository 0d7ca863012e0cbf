//! The blocked poller's hand-off (src/sched/proto/poller.rs): the M that
//! blocks until the wake-up sources' earliest deadline, against a source
//! that publishes earlier work (a timer added: `add_timer` ->
//! `wakeup::wake_for`) or takes away the work the M sleeps for (the
//! earliest timer stopped: `del_timer` -> `wakeup::break_poller`).
//!
//! Time is not modelled: the clock stands still. A blocking poll whose
//! deadline is no later than the deadline the test needs it to wake by is
//! a poll that would return in time (timeout 0: it does not sleep);
//! any later deadline would oversleep, so it is modelled as no timeout at
//! all, and only a wake-up can end it. A lost wake-up is then a sleeper
//! that never returns: loom reports the deadlock.

mod common;

use common::sched_proto::poller::{
    FOREVER, block_until, break_blocked, futex_block, futex_wake_blocked, wake_for,
};
use common::{model, model_fails};
use loom::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering::SeqCst};
use loom::thread;
use std::sync::Arc;

/// The core's wake-up state and one source's earliest deadline (a P's
/// `timer0_when`).
struct World {
    blocked: AtomicBool,
    poll_until: AtomicI64,
    kick: AtomicU32,
    timer0: AtomicI64,
    /// How many times a source called `wakep` instead of waking the poller.
    wakeps: AtomicU32,
}

impl World {
    fn new(timer0: i64) -> Arc<World> {
        Arc::new(World {
            blocked: AtomicBool::new(false),
            poll_until: AtomicI64::new(0),
            kick: AtomicU32::new(0),
            timer0: AtomicI64::new(timer0),
            wakeps: AtomicU32::new(0),
        })
    }

    /// The source's deadline becomes `when` if that is earlier (a timer
    /// added: the heap's publish is a SeqCst store).
    fn publish_earlier(&self, when: i64) {
        let mut cur = self.timer0.load(SeqCst);
        while cur == 0 || when < cur {
            match self.timer0.compare_exchange(cur, when, SeqCst, SeqCst) {
                Ok(_) => break,
                Err(now) => cur = now,
            }
        }
    }

    /// `wakeup::wake_for(when)`.
    fn wake_for(&self, when: i64) {
        wake_for(
            &self.blocked,
            &self.poll_until,
            when,
            || futex_wake_blocked(&self.kick),
            || {
                self.wakeps.fetch_add(1, SeqCst);
            },
        );
    }

    /// findRunnable's block step on an M without a P: look at the
    /// deadline, then `wakeup::block` with the core's futex poll. The poll
    /// must end by `need`. With `look_again == false` the second look is
    /// left out (the mutation the must-fail model checks).
    fn sleep(&self, need: i64, look_again: bool) {
        let until = self.timer0.load(SeqCst);
        if until == 0 {
            return; // nothing to wait for: `wakeup::block` returns false
        }
        let claimed = block_until(
            &self.blocked,
            &self.poll_until,
            until,
            || {
                if look_again {
                    self.timer0.load(SeqCst)
                } else {
                    until
                }
            },
            |until| {
                // In time: the timeout would end the poll by `need`.
                let timeout = if until <= need { 0 } else { FOREVER };
                futex_block(&self.kick, timeout);
            },
        );
        assert!(claimed, "one sleeper: it always becomes the poller");
        assert!(!self.blocked.load(SeqCst));
    }
}

/// A sleeper blocks until 100; a source adds work due at 50: the sleeper
/// must not sleep past 50 (it sees 50 on its second look, or is woken).
fn earlier_deadline(look_again: bool) {
    let w = World::new(100);
    let w2 = w.clone();
    let sleeper = thread::spawn(move || w2.sleep(50, look_again));
    w.publish_earlier(50);
    w.wake_for(50);
    sleeper.join().unwrap();
}

#[test]
fn poller_earlier_deadline_wakes_sleeper() {
    model("poller_earlier_deadline_wakes_sleeper", || {
        earlier_deadline(true)
    });
}

/// Two sources' additions (70, then 50 from another thread) race the
/// sleeper: it must not sleep past 50.
#[test]
fn poller_two_earlier_deadlines() {
    model("poller_two_earlier_deadlines", || {
        let w = World::new(100);
        let (w2, w3) = (w.clone(), w.clone());
        let sleeper = thread::spawn(move || w2.sleep(50, true));
        let other = thread::spawn(move || {
            w3.publish_earlier(70);
            w3.wake_for(70);
        });
        w.publish_earlier(50);
        w.wake_for(50);
        other.join().unwrap();
        sleeper.join().unwrap();
    });
}

/// A later deadline (150) needs no wake-up: the source leaves the sleeper
/// alone when it sees it blocked until 100 (else it calls wakep, which is
/// allowed), and the sleeper's own timeout (100, in time for the test)
/// ends the poll.
#[test]
fn poller_later_deadline_no_wakeup_needed() {
    model("poller_later_deadline_no_wakeup_needed", || {
        let w = World::new(100);
        let w2 = w.clone();
        let sleeper = thread::spawn(move || w2.sleep(100, true));
        w.publish_earlier(150);
        w.wake_for(150);
        sleeper.join().unwrap();
        // A kick left behind is consumed by the next poll, never lost.
        let _ = w.wakeps.load(SeqCst);
    });
}

/// The sleeper blocks for the only work (at 50), which a source takes
/// away (the timer stopped): the sleeper must return, not sleep until 50
/// for nothing.
#[test]
fn poller_removed_deadline_breaks_sleeper() {
    model("poller_removed_deadline_breaks_sleeper", || {
        let w = World::new(50);
        let w2 = w.clone();
        // Need 0: any timed sleep would be for work that is gone.
        let sleeper = thread::spawn(move || w2.sleep(0, true));
        w.timer0.store(0, SeqCst);
        break_blocked(&w.blocked, || futex_wake_blocked(&w.kick));
        sleeper.join().unwrap();
    });
}

/// The sleeper blocks twice in a row; a wake-up meant for its first poll
/// may land after that poll returned (stale), and the second poll must
/// still be woken for the second source's earlier work.
#[test]
fn poller_two_rounds_stale_wakeup() {
    model("poller_two_rounds_stale_wakeup", || {
        let w = World::new(100);
        let w2 = w.clone();
        let sleeper = thread::spawn(move || {
            w2.sleep(50, true);
            // Round two: the work at 50 ran; the earliest is now 30 or
            // what the second source added.
            w2.sleep(30, true);
        });
        w.publish_earlier(50);
        w.wake_for(50);
        // Work at 30, before or after round one ends.
        w.publish_earlier(30);
        w.wake_for(30);
        sleeper.join().unwrap();
    });
}

/// The wrong sleeper: no second look after claiming the poller. A source
/// that saw no poller called wakep, the sleeper blocks past the new work:
/// loom must find the lost wake-up.
#[test]
fn poller_no_second_look_loses_wakeup() {
    let msg = model_fails("poller_no_second_look_loses_wakeup", || {
        earlier_deadline(false)
    });
    assert!(msg.contains("deadlock"), "loom reported: {msg}");
}
