//! The tracebacks' one-time table build (src/debug/proto/build_once.rs):
//! three callers race to need the table (a report, a second report's
//! thread, a signal handler). Properties: exactly one of them builds it;
//! every caller told `Ready` (or that sees `is_ready`) reads what the
//! builder wrote (a loom cell: a read not ordered after the write is a
//! data race loom reports); a failed build is never retried. The negative
//! model publishes with a relaxed store, and loom finds the race.

mod common;

use common::debug_proto::build_once::{Begin, UNTRIED, begin, finish, finish_relaxed, is_ready};
use common::{model, model_fails};
use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};
use loom::thread;
use std::sync::Arc;

/// A table and its state word.
struct Table {
    state: AtomicU32,
    data: UnsafeCell<u32>,
    builds: AtomicUsize,
}

// SAFETY: `data` is written by the one builder and read only after the
// state says READY (the property checked).
unsafe impl Sync for Table {}

/// What the table holds once built.
const BUILT: u32 = 42;

/// One caller: builds if told to, reads if told it is ready.
fn need(t: &Table, ok: bool, relaxed: bool) {
    match begin(&t.state) {
        Begin::Build => {
            t.builds.fetch_add(1, Relaxed);
            // SAFETY: the only writer (Build is given once).
            t.data.with_mut(|d| unsafe { *d = BUILT });
            if relaxed {
                finish_relaxed(&t.state, ok);
            } else {
                finish(&t.state, ok);
            }
        }
        Begin::Ready => {
            // SAFETY: READY was published after the write (checked).
            assert_eq!(t.data.with(|d| unsafe { *d }), BUILT);
        }
        Begin::Busy | Begin::Failed => {
            if is_ready(&t.state) {
                // SAFETY: as above.
                assert_eq!(t.data.with(|d| unsafe { *d }), BUILT);
            }
        }
    }
}

fn race(ok: bool, relaxed: bool) {
    let t = Arc::new(Table {
        state: AtomicU32::new(UNTRIED),
        data: UnsafeCell::new(0),
        builds: AtomicUsize::new(0),
    });
    let others: Vec<_> = (0..2)
        .map(|_| {
            let t = t.clone();
            thread::spawn(move || need(&t, ok, relaxed))
        })
        .collect();
    need(&t, ok, relaxed);
    for h in others {
        h.join().unwrap();
    }
    assert_eq!(t.builds.load(Relaxed), 1, "exactly one build");
    // Whatever happened, a later caller never builds again.
    assert_ne!(begin(&t.state), Begin::Build);
}

#[test]
fn one_build_and_readers_see_it() {
    model("build_once", || race(true, false));
}

#[test]
fn a_failed_build_is_not_retried() {
    model("build_once_failed", || race(false, false));
}

#[test]
fn a_relaxed_publish_races() {
    let msg = model_fails("build_once_relaxed", || race(true, true));
    assert!(
        msg.contains("data race") || msg.contains("Causality"),
        "{msg}"
    );
}
