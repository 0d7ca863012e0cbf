//! A preemption request and its signal (src/sched/proto/sigpending.rs):
//! sysmon's first request sent a SIGURG; its handler runs on the M while
//! sysmon's next round asks again. Property: when both are done, a
//! request still standing (`preempt` set) has a signal on its way (the
//! second round sent one): no request waits for a signal that has
//! already been handled without seeing it.

mod common;

use common::model;
use common::sched_proto::sigpending::{request, take_signal};
use loom::sync::atomic::{AtomicBool, Ordering::Relaxed};
use loom::thread;
use std::sync::Arc;

struct Flags {
    preempt: AtomicBool,
    signal_pending: AtomicBool,
}

fn rounds() {
    let f = Arc::new(Flags {
        preempt: AtomicBool::new(false),
        signal_pending: AtomicBool::new(false),
    });
    // Round 1, before the handler can run: a request and its signal.
    assert!(
        request(&f.preempt, &f.signal_pending),
        "the first request sends"
    );
    let fh = f.clone();
    let handler = thread::spawn(move || {
        assert!(take_signal(&fh.signal_pending), "the signal is sysmon's");
        // The safe point is good: the handler reads the request and
        // takes it (sched::preempt::on_sigurg: a load, then a store).
        let asked = fh.preempt.load(Relaxed);
        if asked {
            fh.preempt.store(false, Relaxed);
        }
        asked
    });
    // Round 2, concurrently: the goroutine still runs, sysmon asks again.
    let sent_again = request(&f.preempt, &f.signal_pending);
    let _preempted = handler.join().unwrap();
    if f.preempt.load(Relaxed) {
        assert!(sent_again, "a request stands with no signal on its way");
    }
}

#[test]
fn no_request_without_a_signal() {
    model("sigpending request vs handler", rounds);
}
