//! The short-read mark of a stream (src/netpoll/proto/shortread.rs) with
//! the waiting word (proto/pollwait.rs), as `Fd::read` and
//! `PollDesc::io_ready` use them: after a short read the next read waits
//! for an event before its syscall, unless an event reported hang-up.
//!
//! The reader is the model's main thread, reading a stream to its end;
//! the peer is a thread that plays the kernel and the poller: it changes
//! the stream (bytes arrive, then end of file) and, after each change,
//! delivers the edge-triggered event the change raises. A read that
//! waits for an event that will never come is a thread asleep for ever:
//! loom reports the deadlock.

mod common;

use common::netpoll_proto::pollwait::{Begin, begin, commit, end, unblock};
use common::netpoll_proto::shortread::{after_read, record_hup, wait_first};
use common::{model, model_fails};
use loom::sync::Mutex;
use loom::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering::SeqCst};
use loom::thread;
use std::sync::Arc;

/// The stand-in for the reader's goroutine address in the word.
const G: usize = 0x1000;
/// The reader's buffer: a read of one byte of it is short.
const WANT: usize = 2;

/// How the peer delivers the hang-up, and how the reader decides.
#[derive(Clone, Copy, PartialEq)]
enum Variant {
    /// The runtime: `record_hup` before the wake, `wait_first`.
    Runtime,
    /// The reader ignores the hang-up flag.
    IgnoreHup,
    /// The poller stores the flag after it has woken the reader.
    HupAfterWake,
}

struct World {
    /// The kernel's side of the stream: bytes queued, end of file.
    stream: Mutex<(usize, bool)>,
    word: AtomicUsize,
    waiters: AtomicI64,
    hup: AtomicBool,
    drained: AtomicBool,
    readied: AtomicBool,
    waiter: std::sync::Mutex<Option<loom::thread::Thread>>,
    variant: Variant,
}

impl World {
    fn new(variant: Variant) -> Arc<World> {
        Arc::new(World {
            stream: Mutex::new((0, false)),
            word: AtomicUsize::new(0),
            waiters: AtomicI64::new(0),
            hup: AtomicBool::new(false),
            drained: AtomicBool::new(false),
            readied: AtomicBool::new(false),
            waiter: std::sync::Mutex::new(None),
            variant,
        })
    }

    // ---- the peer: kernel and poller ----

    /// `n` bytes arrive and/or the stream ends, then the event.
    fn arrive(&self, n: usize, fin: bool) {
        {
            let mut s = self.stream.lock().unwrap();
            s.0 += n;
            s.1 |= fin;
        }
        self.event(fin);
    }

    /// `PollDesc::io_ready` for the read direction.
    fn event(&self, hup: bool) {
        if hup && self.variant != Variant::HupAfterWake {
            record_hup(&self.hup);
        }
        let g = unblock(&self.word, true, &self.waiters);
        if g != 0 {
            assert_eq!(g, G);
            assert!(!self.readied.swap(true, SeqCst), "readied twice");
            let t = self.waiter.lock().unwrap().clone();
            t.expect("a parked reader has a thread").unpark();
        }
        if hup && self.variant == Variant::HupAfterWake {
            record_hup(&self.hup);
        }
    }

    // ---- the reader: Fd::read ----

    /// `read(2)` of a non-blocking stream: `None` is `EAGAIN`.
    fn sys_read(&self, want: usize) -> Option<usize> {
        let mut s = self.stream.lock().unwrap();
        if s.0 > 0 {
            let n = s.0.min(want);
            s.0 -= n;
            return Some(n);
        }
        if s.1 { Some(0) } else { None }
    }

    /// `PollDesc::wait` (no close, no deadline): parks until an event.
    fn wait(&self) {
        loop {
            if begin(&self.word) == Begin::Ready {
                return;
            }
            *self.waiter.lock().unwrap() = Some(thread::current());
            if commit(&self.word, G, &self.waiters) {
                while !self.readied.load(SeqCst) {
                    thread::park();
                }
                self.readied.store(false, SeqCst);
            }
            if end(&self.word) {
                return;
            }
        }
    }

    /// `Fd::read` of `want` bytes.
    fn read(&self, want: usize) -> usize {
        let first = match self.variant {
            Variant::IgnoreHup => want > 0 && self.drained.load(SeqCst),
            _ => wait_first(&self.drained, want, &self.hup),
        };
        if first {
            self.wait();
        }
        loop {
            match self.sys_read(want) {
                Some(n) => {
                    after_read(&self.drained, n, want);
                    return n;
                }
                None => self.wait(),
            }
        }
    }

    /// Reads to end of file; returns the bytes read.
    fn read_to_end(&self) -> usize {
        let mut total = 0;
        loop {
            match self.read(WANT) {
                0 => return total,
                n => total += n,
            }
        }
    }
}

/// Runs `peer` beside a reader that reads to the end and checks it got
/// `bytes`.
fn run(variant: Variant, bytes: usize, peer: fn(&World)) {
    let w = World::new(variant);
    let w2 = w.clone();
    let t = thread::spawn(move || peer(&w2));
    assert_eq!(w.read_to_end(), bytes);
    t.join().unwrap();
    assert_eq!(w.waiters.load(SeqCst), 0);
}

/// The last byte and the end of file come in one event (a peer that
/// writes and closes at once): the short read of that byte must not wait.
#[test]
fn end_of_file_behind_the_last_bytes() {
    model("shortread fin with data", || {
        run(Variant::Runtime, 1, |w| w.arrive(1, true))
    });
}

/// A byte, then (its own event) another, then the end: every short read
/// finds its next event.
#[test]
fn bytes_then_end_of_file() {
    model("shortread data, data, fin", || {
        run(Variant::Runtime, 2, |w| {
            w.arrive(1, false);
            w.arrive(1, false);
            w.arrive(0, true);
        })
    });
}

/// The model can fail: a reader that ignores the hang-up waits, after the
/// short read of the last byte, for an event that never comes.
#[test]
fn ignoring_the_hang_up_hangs() {
    let msg = model_fails("shortread ignore hup", || {
        run(Variant::IgnoreHup, 1, |w| w.arrive(1, true))
    });
    assert!(msg.contains("deadlock"), "{msg}");
}

/// The model can fail: a poller that records the hang-up only after it
/// has woken the reader lets the reader read the last byte, miss the
/// flag, and wait for ever.
#[test]
fn recording_the_hang_up_after_the_wake_hangs() {
    let msg = model_fails("shortread hup after wake", || {
        run(Variant::HupAfterWake, 1, |w| w.arrive(1, true))
    });
    assert!(msg.contains("deadlock"), "{msg}");
}
