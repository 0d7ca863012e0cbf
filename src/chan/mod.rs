//! Channels: Go's `chan.go` (`makechan`, `chansend`, `chanrecv`,
//! `closechan`) in Rust idiom, on `gopark`/`goready`.
//!
//! [`Chan<T>`] is one handle for both ends, cloneable, usable by any number
//! of senders and receivers, as a Go channel is. Each operation follows
//! Go's structure: an optional lock-free fast path, then the channel lock,
//! an authoritative re-check, a direct hand-off to a parked peer, the ring
//! buffer, and finally parking with a commit function that drops the lock
//! only once the goroutine is off its M.
//!
//! Where Go panics, rt0 answers as the Rust ecosystem expects:
//! - `send` on a closed channel (also one closed while the sender was
//!   parked) returns `Err(SendError(value))`, giving the value back;
//! - `recv` on a closed, drained channel returns `Err(RecvError)` (Go's
//!   `v, ok := <-c` with `ok == false`); values sent before `close` are
//!   still received first;
//! - `close` of a closed channel panics, as in Go: it is a bug.
//!
//! The error types are std's `mpsc` ones in shape: `Debug` for every `T`
//! (the variant's name and `..`, never the value, so `send(v).unwrap()`
//! needs no `T: Debug`), std's `Display` texts, `core::error::Error`.

#[doc(hidden)]
pub mod select;
pub(crate) mod sudog;

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::mem::MaybeUninit;
use core::sync::atomic::{
    AtomicBool, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release},
};

use crate::racy::RacyCell;
use crate::sched::g::WaitReason;
use crate::sched::lock::{Mutex, park_unlock};
use crate::sched::sched::getg;
use crate::sched::schedule::{gopark, goready};
use sudog::{Sudog, WaitQ};

/// `send` failed: the channel is closed. Holds the value back (where Go
/// panics on a send to a closed channel; Rust's `std::sync::mpsc::SendError`).
///
/// As std's, it is `Debug` for every `T` (it prints `SendError { .. }`,
/// never the value), so `c.send(v).unwrap()` compiles whatever `T` is;
/// `Display` is std's text and it is a `core::error::Error`.
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

/// `recv` failed: the channel is closed and drained (Go's `v, ok := <-c`
/// with `ok == false`; Rust's `std::sync::mpsc::RecvError`).
#[derive(PartialEq, Eq, Debug, Clone, Copy)]
pub struct RecvError;

/// `try_send` failed (Go's `select` with a send case and `default`; Rust's
/// `std::sync::mpsc::TrySendError`, whose `Disconnected` is `Closed`
/// here). `Debug` for every `T`, as std's: `Full(..)` or `Closed(..)`,
/// never the value.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// No receiver waiting and no buffer room.
    Full(T),
    /// The channel is closed.
    Closed(T),
}

/// `try_recv` failed (Go's `select` with a receive case and `default`;
/// Rust's `std::sync::mpsc::TryRecvError`).
#[derive(PartialEq, Eq, Debug, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing to receive right now.
    Empty,
    /// The channel is closed and drained.
    Closed,
}

/// std's text for a send on a closed channel.
const SEND_CLOSED: &str = "sending on a closed channel";
/// std's text for a receive on a closed, drained channel.
const RECV_CLOSED: &str = "receiving on a closed channel";

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SEND_CLOSED)
    }
}

impl<T> core::error::Error for SendError<T> {}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrySendError::Full(_) => "Full(..)",
            TrySendError::Closed(_) => "Closed(..)",
        })
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrySendError::Full(_) => "sending on a full channel",
            TrySendError::Closed(_) => SEND_CLOSED,
        })
    }
}

impl<T> core::error::Error for TrySendError<T> {}

/// A failed `send` as a failed `try_send` (std's `From<SendError<T>>`).
impl<T> From<SendError<T>> for TrySendError<T> {
    fn from(e: SendError<T>) -> TrySendError<T> {
        TrySendError::Closed(e.0)
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(RECV_CLOSED)
    }
}

impl core::error::Error for RecvError {}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryRecvError::Empty => "receiving on an empty channel",
            TryRecvError::Closed => RECV_CLOSED,
        })
    }
}

impl core::error::Error for TryRecvError {}

/// A closed channel as a failed `try_recv` (std's `From<RecvError>`).
impl From<RecvError> for TryRecvError {
    fn from(_: RecvError) -> TryRecvError {
        TryRecvError::Closed
    }
}

/// The shared state (Go's `hchan`). Fields under `state` are touched only
/// with `lock` held; `closed` and `qcount` are mirrored in atomics for the
/// lock-free fast paths.
pub(crate) struct Hchan<T> {
    pub(crate) lock: Mutex,
    closed: AtomicBool,
    qcount: AtomicUsize,
    cap: usize,
    pub(crate) state: RacyCell<State<T>>,
}

pub(crate) struct State<T> {
    buf: Box<[MaybeUninit<T>]>,
    sendx: usize,
    recvx: usize,
    qcount: usize,
    closed: bool,
    pub(crate) recvq: WaitQ,
    pub(crate) sendq: WaitQ,
}

// SAFETY: all access to `state` is serialised by `lock`; T crosses threads.
unsafe impl<T: Send> Send for Hchan<T> {}
// SAFETY: the lock serialises every access to `state` (one thread at a
// time), so sharing an Hchan only passes the Ts from thread to thread,
// which T: Send allows.
unsafe impl<T: Send> Sync for Hchan<T> {}

/// A channel (Go's `chan T`): clone it to share it.
pub struct Chan<T> {
    pub(crate) h: Arc<Hchan<T>>,
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan { h: self.h.clone() }
    }
}

/// Wakes the goroutine of `sg`, telling it which sudog fired.
///
/// # Safety
/// `sg` was just dequeued; after this call it may be gone (its goroutine
/// runs and returns), so the caller must not touch it again.
pub(crate) unsafe fn wake(sg: *mut Sudog) {
    // SAFETY: sg is live until its goroutine runs, which goready allows; its
    // G is parked in GWAITING on this channel and the caller took sg off the
    // queue (so it is readied once); channel operations run on an M with a P.
    unsafe {
        let gp = (*sg).g;
        (*gp).param = sg as usize;
        goready(gp);
    }
}

impl<T: Send> Chan<T> {
    /// `make(chan T, cap)`: unbuffered when `cap == 0`.
    pub fn new(cap: usize) -> Chan<T> {
        let buf = (0..cap).map(|_| MaybeUninit::uninit()).collect();
        Chan {
            h: Arc::new(Hchan {
                lock: Mutex::new(),
                closed: AtomicBool::new(false),
                qcount: AtomicUsize::new(0),
                cap,
                state: RacyCell::new(State {
                    buf,
                    sendx: 0,
                    recvx: 0,
                    qcount: 0,
                    closed: false,
                    recvq: WaitQ::new(),
                    sendq: WaitQ::new(),
                }),
            }),
        }
    }

    /// Buffer capacity (Go's `cap(c)`).
    pub fn cap(&self) -> usize {
        self.h.cap
    }

    /// Values in the buffer now (Go's `len(c)`).
    pub fn len(&self) -> usize {
        self.h.qcount.load(Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_closed(&self) -> bool {
        self.h.closed.load(Acquire)
    }

    /// The state; the caller holds the lock.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn st(&self) -> &mut State<T> {
        // SAFETY: the caller holds self.h.lock.
        unsafe { &mut *self.h.state.get() }
    }

    /// With the lock held: complete a send now if a receiver waits or the
    /// buffer has room. Returns the value back when it cannot.
    pub(crate) unsafe fn send_locked(&self, v: T) -> Result<(), T> {
        // SAFETY: lock held (contract).
        let st = unsafe { self.st() };
        let sg = st.recvq.dequeue();
        if !sg.is_null() {
            // Direct hand-off into the parked receiver's slot.
            // SAFETY: a receiver's elem is its Option<T>, live while parked.
            unsafe {
                *((*sg).elem as *mut Option<T>) = Some(v);
                (*sg).success = true;
            }
            self.h.lock.unlock();
            // SAFETY: sg was dequeued by us; not touched after.
            unsafe { wake(sg) };
            return Ok(());
        }
        if st.qcount < self.h.cap {
            st.buf[st.sendx].write(v);
            st.sendx = (st.sendx + 1) % self.h.cap;
            st.qcount += 1;
            self.h.qcount.store(st.qcount, Relaxed);
            self.h.lock.unlock();
            return Ok(());
        }
        Err(v)
    }

    /// With the lock held: complete a receive now if a sender waits or the
    /// buffer has a value. `None` when it cannot (caller still holds the lock).
    pub(crate) unsafe fn recv_locked(&self) -> Option<T> {
        // SAFETY: lock held (contract).
        let st = unsafe { self.st() };
        let sg = st.sendq.dequeue();
        if !sg.is_null() {
            // SAFETY: a sender's elem is its Option<T>, live while parked.
            let sent = unsafe { (*((*sg).elem as *mut Option<T>)).take().unwrap() };
            let v = if self.h.cap == 0 {
                sent
            } else {
                // Full buffer: take its head, the sender's value goes to the tail.
                // SAFETY: a full buffer's recvx slot is initialised.
                let head = unsafe { st.buf[st.recvx].assume_init_read() };
                st.buf[st.recvx].write(sent);
                st.recvx = (st.recvx + 1) % self.h.cap;
                st.sendx = st.recvx;
                head
            };
            // SAFETY: sg came off sendq under the lock we still hold; its
            // goroutine is parked and its sudog live until woken.
            unsafe { (*sg).success = true };
            self.h.lock.unlock();
            // SAFETY: sg was dequeued by us; not touched after.
            unsafe { wake(sg) };
            return Some(v);
        }
        if st.qcount > 0 {
            // SAFETY: slots recvx..recvx+qcount are initialised.
            let v = unsafe { st.buf[st.recvx].assume_init_read() };
            st.recvx = (st.recvx + 1) % self.h.cap;
            st.qcount -= 1;
            self.h.qcount.store(st.qcount, Relaxed);
            self.h.lock.unlock();
            return Some(v);
        }
        None
    }

    /// `c <- v` (Go's `chansend`): blocks until a receiver takes the value or
    /// it is buffered.
    pub fn send(&self, v: T) -> Result<(), SendError<T>> {
        self.h.lock.lock();
        // SAFETY: lock held.
        if unsafe { self.st() }.closed {
            self.h.lock.unlock();
            return Err(SendError(v));
        }
        // SAFETY: lock held; send_locked unlocks on success.
        let v = match unsafe { self.send_locked(v) } {
            Ok(()) => return Ok(()),
            Err(v) => v,
        };
        // Park until a receiver takes the value or the channel closes.
        let mut slot = Some(v);
        let mut sg = Sudog::new(getg(), &mut slot as *mut Option<T> as *mut u8);
        // SAFETY: lock held; sg lives in this frame, which stays alive while parked.
        unsafe { self.st().sendq.enqueue(&mut sg) };
        // SAFETY: park_unlock gets this channel's lock, which we hold; the
        // channel and the sudog in this frame outlive the park.
        unsafe {
            gopark(
                Some(park_unlock),
                &self.h.lock as *const Mutex as *mut u8,
                WaitReason::ChanSend,
            )
        };
        if sg.success {
            Ok(())
        } else {
            Err(SendError(slot.take().unwrap()))
        }
    }

    /// `v, ok := <-c` (Go's `chanrecv`): blocks until a value arrives or the
    /// channel is closed and drained.
    pub fn recv(&self) -> Result<T, RecvError> {
        // Fast path: closed and drained needs no lock (Go's "empty && closed").
        if self.h.closed.load(Acquire) && self.h.qcount.load(Acquire) == 0 {
            self.h.lock.lock();
            // SAFETY: lock held: authoritative re-check.
            let st = unsafe { self.st() };
            if st.qcount == 0 && st.sendq.is_empty() {
                self.h.lock.unlock();
                return Err(RecvError);
            }
            self.h.lock.unlock();
        }
        self.h.lock.lock();
        // SAFETY: lock held; recv_locked unlocks when it returns Some.
        if let Some(v) = unsafe { self.recv_locked() } {
            return Ok(v);
        }
        // SAFETY: lock held.
        if unsafe { self.st() }.closed {
            self.h.lock.unlock();
            return Err(RecvError);
        }
        let mut slot: Option<T> = None;
        let mut sg = Sudog::new(getg(), &mut slot as *mut Option<T> as *mut u8);
        // SAFETY: lock held; sg lives in this frame while parked.
        unsafe { self.st().recvq.enqueue(&mut sg) };
        // SAFETY: park_unlock gets this channel's lock, which we hold; the
        // channel and the sudog in this frame outlive the park.
        unsafe {
            gopark(
                Some(park_unlock),
                &self.h.lock as *const Mutex as *mut u8,
                WaitReason::ChanReceive,
            )
        };
        if sg.success {
            Ok(slot.take().unwrap())
        } else {
            Err(RecvError)
        }
    }

    /// Non-blocking send (Go's `select` with a default).
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        // Fast path (Go's): not closed, and full with no receiver waiting.
        if !self.h.closed.load(Acquire)
            && self.h.cap > 0
            && self.h.qcount.load(Acquire) == self.h.cap
        {
            return Err(TrySendError::Full(v));
        }
        self.h.lock.lock();
        // SAFETY: lock held.
        if unsafe { self.st() }.closed {
            self.h.lock.unlock();
            return Err(TrySendError::Closed(v));
        }
        // SAFETY: lock held; unlocks on success.
        match unsafe { self.send_locked(v) } {
            Ok(()) => Ok(()),
            Err(v) => {
                self.h.lock.unlock();
                Err(TrySendError::Full(v))
            }
        }
    }

    /// Non-blocking receive.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.h.lock.lock();
        // SAFETY: lock held; unlocks when it returns Some.
        if let Some(v) = unsafe { self.recv_locked() } {
            return Ok(v);
        }
        // SAFETY: lock held.
        let closed = unsafe { self.st() }.closed;
        self.h.lock.unlock();
        Err(if closed {
            TryRecvError::Closed
        } else {
            TryRecvError::Empty
        })
    }

    /// `close(c)` (Go's `closechan`): wakes every parked receiver (they get
    /// `Err(RecvError)` once the buffer is drained) and sender (they get
    /// their value back in `Err(SendError)`). Panics if already closed.
    pub fn close(&self) {
        self.h.lock.lock();
        // SAFETY: lock held.
        let st = unsafe { self.st() };
        if st.closed {
            self.h.lock.unlock();
            panic!("close of closed channel");
        }
        st.closed = true;
        self.h.closed.store(true, Release);
        // Collect every waiter, then wake them after unlocking.
        let mut woken: *mut Sudog = core::ptr::null_mut();
        for q in [&mut st.recvq, &mut st.sendq] {
            loop {
                let sg = q.dequeue();
                if sg.is_null() {
                    break;
                }
                // SAFETY: sg is live until woken; we own it now.
                unsafe {
                    (*sg).success = false;
                    (*sg).next = woken;
                }
                woken = sg;
            }
        }
        self.h.lock.unlock();
        while !woken.is_null() {
            // SAFETY: read next before waking: after wake sg may be gone.
            let next = unsafe { (*woken).next };
            // SAFETY: dequeued by us.
            unsafe { wake(woken) };
            woken = next;
        }
    }

    /// Receives until the channel is closed and drained (`for v := range c`).
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { c: self }
    }
}

impl<T> Drop for State<T> {
    fn drop(&mut self) {
        let cap = self.buf.len();
        for i in 0..self.qcount {
            // SAFETY: the qcount slots from recvx are initialised.
            unsafe { self.buf[(self.recvx + i) % cap].assume_init_drop() };
        }
    }
}

/// Iterator over received values; ends when the channel is closed and
/// drained (Go's `for v := range c`; Rust's `std::sync::mpsc::Iter`).
pub struct Iter<'a, T> {
    c: &'a Chan<T>,
}

impl<T: Send> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.c.recv().ok()
    }
}

impl<'a, T: Send> IntoIterator for &'a Chan<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
