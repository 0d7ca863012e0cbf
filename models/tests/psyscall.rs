//! The P of a system call (src/sched/proto/psyscall.rs): the M that left
//! its P in `PSYSCALL` takes it back on the way out of the kernel, while
//! sysmon retakes it for another M and a stopper of the world takes it
//! for itself. Properties: exactly one of the racers owns the P, and the
//! owner sees everything the M wrote to it before the call (the P's run
//! queue here, a loom cell: a read not ordered after the write is a data
//! race loom reports).

mod common;

use common::sched_proto::psyscall::{
    PGCSTOP, PIDLE, PRUNNING, leave_for_syscall, leave_for_syscall_relaxed, retake, take_back,
};
use common::{model, model_fails};
use loom::cell::UnsafeCell;
use loom::sync::atomic::AtomicU32;
use loom::thread;
use std::sync::Arc;

/// A P: its status and what its M wrote to it (the run queue's length).
struct P {
    status: AtomicU32,
    runq: UnsafeCell<u32>,
}

// SAFETY: `runq` is touched only by the P's owner (the property checked).
unsafe impl Sync for P {}

/// Who took the P.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Owner {
    M,
    Sysmon,
    Stopper,
}

/// The owner's part: check what the M wrote, write its own.
fn own(p: &P, who: Owner) -> Owner {
    p.runq.with_mut(|q| {
        // SAFETY (loom): the owner alone touches the cell.
        let n = unsafe { *q };
        assert_eq!(n, 3, "{who:?} owns the P but not the M's writes");
        unsafe { *q = 4 };
    });
    who
}

/// The M (running the P, writing its queue, then entering a call) against
/// sysmon and, with `stopper`, a stopper of the world.
fn race(stopper: bool, relaxed: bool) {
    let p = Arc::new(P {
        status: AtomicU32::new(PRUNNING),
        runq: UnsafeCell::new(0),
    });
    let pm = p.clone();
    let m = thread::spawn(move || {
        pm.runq.with_mut(|q| unsafe { *q = 3 });
        if relaxed {
            leave_for_syscall_relaxed(&pm.status);
        } else {
            leave_for_syscall(&pm.status);
        }
        // The system call; then exitsyscallfast.
        take_back(&pm.status).then(|| own(&pm, Owner::M))
    });
    let ps = p.clone();
    let sysmon = thread::spawn(move || retake(&ps.status, PIDLE).then(|| own(&ps, Owner::Sysmon)));
    let stop = stopper.then(|| {
        let pw = p.clone();
        thread::spawn(move || retake(&pw.status, PGCSTOP).then(|| own(&pw, Owner::Stopper)))
    });
    let mut owners: Vec<Owner> = [m.join().unwrap(), sysmon.join().unwrap()]
        .into_iter()
        .flatten()
        .collect();
    if let Some(t) = stop {
        owners.extend(t.join().unwrap());
    }
    // A racer that found the status still PRUNNING (the M had not
    // entered yet) owns nothing; the M itself always finds PSYSCALL
    // unless someone retook it: exactly one owner.
    assert_eq!(owners.len(), 1, "owners: {owners:?}");
}

#[test]
fn one_owner_against_sysmon() {
    model("psyscall M vs sysmon", || race(false, false));
}

#[test]
fn one_owner_against_sysmon_and_a_stopper() {
    model("psyscall M vs sysmon vs stopper", || race(true, false));
}

/// The mistake: a relaxed status store lets sysmon own the P without the
/// M's writes (loom reports the race on the queue).
#[test]
fn a_relaxed_leave_races_the_retaker() {
    let msg = model_fails("psyscall relaxed leave", || race(false, true));
    assert!(
        msg.contains("race") || msg.contains("Causality"),
        "unexpected failure: {msg}"
    );
}
