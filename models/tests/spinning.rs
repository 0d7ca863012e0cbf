//! The spinning-M hand-off (src/sched/proto/spinning.rs): a submitter
//! that makes work visible and calls `wakep`, against the last spinning M
//! that gives up its P, stops spinning and looks at the queues once more.
//! Property: the work is never left queued with every other M asleep;
//! the stopping spinner finds it, or the submitter's `wakep` claims a
//! spinner's place (and would start an M). The submitter's own P is
//! assumed never to come back to its queue (its goroutine runs on): the
//! worst case, where a missed wake-up leaves an idle P idle.

mod common;

use common::sched_proto::runq::{LocalRunQ, runqempty, runqput};
use common::sched_proto::spinning::{stop_spinning, wakep_claim};
use common::{model, model_fails};
use loom::sync::atomic::{AtomicU32, Ordering::SeqCst};
use loom::thread;
use std::sync::Arc;

/// The scheduler's counters and the submitter's P queue.
struct Sched {
    npidle: AtomicU32,
    nmspinning: AtomicU32,
    /// The running P's queue (work goes in as `runnext`, as `ready` does).
    q: LocalRunQ<u8, 4>,
}

/// What the stopping spinner did after it dropped `nmspinning`.
#[derive(Debug, PartialEq)]
enum Spinner {
    /// Saw the work and would take an idle P back.
    FoundWork,
    /// Saw nothing and would sleep in `stopm`.
    Slept,
}

/// A non-null token (never dereferenced).
fn token() -> *mut u8 {
    std::ptr::NonNull::<u8>::dangling().as_ptr()
}

/// One submitter, one spinning M that holds a P at the start
/// (`idle_before` Ps are idle already: 0 means every P is busy until the
/// spinner gives its P up). With `resetspinning` the spinner found work
/// and calls wakep itself, instead of stopping.
fn handoff(idle_before: u32, resetspinning: bool) {
    handoff_with(idle_before, resetspinning, false)
}

/// `handoff`; with `look_first`, the spinner looks at the queue before it
/// stops spinning (the order Go's "delicate dance" comment rules out).
fn handoff_with(idle_before: u32, resetspinning: bool, look_first: bool) {
    let s = Arc::new(Sched {
        npidle: AtomicU32::new(idle_before),
        nmspinning: AtomicU32::new(1),
        q: LocalRunQ::new(),
    });
    let s2 = s.clone();
    let spinner = thread::spawn(move || {
        if resetspinning {
            // resetspinning: found work elsewhere, stops spinning, wakes
            // another if there is more (here: the submitter's).
            stop_spinning(&s2.nmspinning, "resetspinning: negative nmspinning");
            return (Spinner::FoundWork, wakep_claim(&s2.npidle, &s2.nmspinning));
        }
        // findRunnable found nothing: give up the P, stop spinning, look
        // again.
        s2.npidle.fetch_add(1, SeqCst);
        let empty_before = look_first && runqempty(&s2.q);
        stop_spinning(&s2.nmspinning, "findrunnable: negative nmspinning");
        if empty_before || (!look_first && runqempty(&s2.q)) {
            (Spinner::Slept, false)
        } else {
            (Spinner::FoundWork, false)
        }
    });
    // The submitter: ready() = runqput(next) then wakep().
    runqput(&s.q, token(), true, |_| unreachable!("one element"));
    let woke = wakep_claim(&s.npidle, &s.nmspinning);
    let (seen, spinner_woke) = spinner.join().unwrap();
    if !resetspinning {
        assert!(
            woke || seen == Spinner::FoundWork,
            "work left queued with the spinner asleep and no M woken"
        );
    } else {
        // One wakep claims the spinner's place, at most one: the count
        // never goes past 1 with nobody spinning.
        assert!(
            woke || spinner_woke || s.npidle.load(SeqCst) == 0,
            "no spinner after resetspinning with idle Ps"
        );
        assert!(!(woke && spinner_woke), "two Ms started for one place");
    }
    let spinning = s.nmspinning.load(SeqCst);
    assert_eq!(spinning, u32::from(woke) + u32::from(spinner_woke));
}

/// The last spinner gives up the only P that could go idle.
#[test]
fn spinning_last_spinner_vs_ready() {
    model("spinning_last_spinner_vs_ready", || handoff(0, false));
}

/// Another P is idle already.
#[test]
fn spinning_last_spinner_vs_ready_idle_p() {
    model("spinning_last_spinner_vs_ready_idle_p", || {
        handoff(1, false)
    });
}

/// A spinner that found work (resetspinning) and a submitter both call
/// wakep: one of them claims the place, never both.
#[test]
fn spinning_resetspinning_vs_ready() {
    model("spinning_resetspinning_vs_ready", || handoff(1, true));
}

/// The wrong order: look, then stop spinning. The submitter's wakep can
/// see the spinner still spinning, and the spinner saw no work: loom must
/// find the stranded work.
#[test]
fn spinning_look_before_stop_loses_wakeup() {
    let msg = model_fails("spinning_look_before_stop_loses_wakeup", || {
        handoff_with(0, false, true)
    });
    assert!(msg.contains("work left queued"), "{msg}");
}
