//! The descriptor reference count (src/netpoll/proto/fdref.rs): operations
//! taking and dropping references while the fd is closed. The descriptor
//! must be released exactly once, by whoever drops the last reference,
//! and never while an operation holds one.

mod common;

use common::model;
use common::netpoll_proto::fdref::{CLOSED, close, decref, incref};
use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};
use loom::thread;
use std::sync::Arc;

struct Fd {
    state: AtomicU64,
    /// How many times the descriptor was released (close(2)).
    released: AtomicU32,
    /// Closes that succeeded.
    closes: AtomicU32,
}

impl Fd {
    fn new() -> Arc<Fd> {
        Arc::new(Fd {
            state: AtomicU64::new(0),
            released: AtomicU32::new(0),
            closes: AtomicU32::new(0),
        })
    }

    fn drop_ref(&self) {
        if decref(&self.state) {
            assert_eq!(self.released.fetch_add(1, SeqCst), 0, "released twice");
        }
    }

    /// An operation: while it holds its reference, the fd is not released.
    fn op(&self) {
        if incref(&self.state) {
            assert_eq!(self.released.load(SeqCst), 0, "used after release");
            thread::yield_now();
            assert_eq!(self.released.load(SeqCst), 0, "released under an operation");
            self.drop_ref();
        }
    }

    fn close(&self) {
        if close(&self.state) {
            self.closes.fetch_add(1, SeqCst);
            self.drop_ref();
        }
    }
}

#[test]
fn released_once_after_the_last_operation() {
    model("fdref ops + close", || {
        let fd = Fd::new();
        let (a, b) = (fd.clone(), fd.clone());
        let t1 = thread::spawn(move || a.op());
        let t2 = thread::spawn(move || b.op());
        fd.close();
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(fd.released.load(SeqCst), 1);
        assert_eq!(fd.state.load(SeqCst), CLOSED);
    });
}

#[test]
fn one_of_two_closes_wins() {
    model("fdref two closes + op", || {
        let fd = Fd::new();
        let (a, b) = (fd.clone(), fd.clone());
        let t1 = thread::spawn(move || a.close());
        let t2 = thread::spawn(move || b.op());
        fd.close();
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(fd.closes.load(SeqCst), 1);
        assert_eq!(fd.released.load(SeqCst), 1);
    });
}
