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
//! Elements move by pointer, as Go's `chansend(c, ep)` and
//! `chanrecv(c, ep)` do: a send copies the value once, from where the
//! sender's argument lies, into the buffer or straight into a parked
//! receiver's slot; a receive copies it once into its own slot (from the
//! buffer or from a parked sender's argument), which becomes its return
//! value. No frame between holds a copy of its own, so a 16 KiB element
//! costs about 16 KiB of stack on each side (a 64 KiB one, Go's largest,
//! fits a default goroutine); for a word-sized one the copies are the
//! same moves `Option<T>` took.
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
use core::mem::{MaybeUninit, size_of};
use core::ptr;
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

/// Elements up to this many bytes are received on the fast path into a
/// slot of their own that never escapes (so a word stays in a register),
/// apart from the slot a parked receiver offers; a bigger one has one
/// slot for both paths, so a receive keeps one copy on the stack.
const SMALL_ELEMENT: usize = 128;

/// Where [`Chan::recv`] stands before it would park.
enum RecvNow {
    /// A value was received.
    Got,
    /// The channel is closed and drained.
    Closed,
    /// Nothing yet: park (the lock is still held).
    Wait,
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
        let buf = Box::new_uninit_slice(cap);
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

    /// With the lock held: completes a send of the value at `src` now if
    /// a receiver waits or the buffer has room, and releases the lock;
    /// the value has then moved (the caller must forget it). False, with
    /// the lock still held and `*src` untouched, when it cannot.
    ///
    /// # Safety
    /// The lock is held; `src` points at a live `T` the caller owns.
    #[inline]
    pub(crate) unsafe fn send_locked(&self, src: *const T) -> bool {
        // SAFETY: lock held (contract).
        let st = unsafe { self.st() };
        let sg = st.recvq.dequeue();
        if !sg.is_null() {
            // Direct hand-off into the parked receiver's slot.
            // SAFETY: a receiver's elem is its uninitialised T slot, live
            // while it is parked; src is a live T (contract) that the
            // caller forgets, so the value moves.
            unsafe {
                ptr::copy_nonoverlapping(src, (*sg).elem as *mut T, 1);
                (*sg).success = true;
            }
            self.h.lock.unlock();
            // SAFETY: sg was dequeued by us; not touched after.
            unsafe { wake(sg) };
            return true;
        }
        if st.qcount < self.h.cap {
            // SAFETY: with qcount < cap the sendx slot is free (uninit).
            unsafe { ptr::copy_nonoverlapping(src, st.buf[st.sendx].as_mut_ptr(), 1) };
            st.sendx = (st.sendx + 1) % self.h.cap;
            st.qcount += 1;
            self.h.qcount.store(st.qcount, Relaxed);
            self.h.lock.unlock();
            return true;
        }
        false
    }

    /// With the lock held: completes a receive into `dst` now if a sender
    /// waits or the buffer has a value, and releases the lock; `*dst` is
    /// then initialised. False, with the lock still held, when it cannot.
    ///
    /// # Safety
    /// The lock is held; `dst` is valid for a write of a `T` (its old
    /// contents, if any, are overwritten, not dropped).
    #[inline]
    pub(crate) unsafe fn recv_locked(&self, dst: *mut T) -> bool {
        // SAFETY: lock held (contract).
        let st = unsafe { self.st() };
        let sg = st.sendq.dequeue();
        if !sg.is_null() {
            // SAFETY: a sender's elem is its value, live while it is
            // parked; it forgets it once it sees success.
            let sent = unsafe { (*sg).elem as *const T };
            if self.h.cap == 0 {
                // SAFETY: sent is a live T, dst valid for a write (contract).
                unsafe { ptr::copy_nonoverlapping(sent, dst, 1) };
            } else {
                // Full buffer: take its head, the sender's value goes to the tail.
                let slot = st.buf[st.recvx].as_mut_ptr();
                // SAFETY: a full buffer's recvx slot is initialised; it is
                // moved out, then refilled from the sender's value.
                unsafe {
                    ptr::copy_nonoverlapping(slot, dst, 1);
                    ptr::copy_nonoverlapping(sent, slot, 1);
                }
                st.recvx = (st.recvx + 1) % self.h.cap;
                st.sendx = st.recvx;
            }
            // SAFETY: sg came off sendq under the lock we still hold; its
            // goroutine is parked and its sudog live until woken.
            unsafe { (*sg).success = true };
            self.h.lock.unlock();
            // SAFETY: sg was dequeued by us; not touched after.
            unsafe { wake(sg) };
            return true;
        }
        if st.qcount > 0 {
            // SAFETY: slots recvx..recvx+qcount are initialised; the value
            // moves out (the slot counts as free below).
            unsafe { ptr::copy_nonoverlapping(st.buf[st.recvx].as_ptr(), dst, 1) };
            st.recvx = (st.recvx + 1) % self.h.cap;
            st.qcount -= 1;
            self.h.qcount.store(st.qcount, Relaxed);
            self.h.lock.unlock();
            return true;
        }
        false
    }

    /// `c <- v` (Go's `chansend`): blocks until a receiver takes the value or
    /// it is buffered.
    pub fn send(&self, v: T) -> Result<(), SendError<T>> {
        // The value stays where the argument lies until it moves: into
        // the buffer, a parked receiver's slot, or (parked) a receiver's
        // copy from here.
        let src = &v as *const T;
        self.h.lock.lock();
        // SAFETY: lock held.
        if unsafe { self.st() }.closed {
            self.h.lock.unlock();
            return Err(SendError(v));
        }
        // SAFETY: lock held, src is v; send_locked unlocks on success.
        if unsafe { self.send_locked(src) } {
            core::mem::forget(v);
            return Ok(());
        }
        // Park until a receiver takes the value or the channel closes.
        let mut sg = Sudog::new(getg(), src as *mut u8);
        // SAFETY: lock held; sg lives in this frame, which stays alive
        // while parked, and so does v, which a receiver reads only.
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
            // A receiver copied it out: the value is the receiver's now.
            core::mem::forget(v);
            Ok(())
        } else {
            Err(SendError(v))
        }
    }

    /// `v, ok := <-c` (Go's `chanrecv`): blocks until a value arrives or the
    /// channel is closed and drained.
    #[inline(always)]
    pub fn recv(&self) -> Result<T, RecvError> {
        if size_of::<T>() <= SMALL_ELEMENT {
            // Two slots in disjoint scopes: the first never leaves this
            // function (the value stays in registers), the second is the
            // one a parked receiver offers to its sender.
            let mut v = MaybeUninit::<T>::uninit();
            // SAFETY: v is valid for a write of a T.
            match unsafe { self.recv_now(v.as_mut_ptr()) } {
                // SAFETY: recv_now initialised it.
                RecvNow::Got => return Ok(unsafe { v.assume_init() }),
                RecvNow::Closed => return Err(RecvError),
                RecvNow::Wait => {}
            }
        }
        // A big element has this one slot, for both paths: one element
        // on the stack.
        let mut slot = MaybeUninit::<T>::uninit();
        if size_of::<T>() > SMALL_ELEMENT {
            // SAFETY: slot is valid for a write of a T.
            match unsafe { self.recv_now(slot.as_mut_ptr()) } {
                // SAFETY: recv_now initialised it.
                RecvNow::Got => return Ok(unsafe { slot.assume_init() }),
                RecvNow::Closed => return Err(RecvError),
                RecvNow::Wait => {}
            }
        }
        // SAFETY: the lock is held (recv_now said Wait); slot is valid
        // for a write of a T and lives until recv_park returns.
        if unsafe { self.recv_park(slot.as_mut_ptr()) } {
            // SAFETY: the sender that woke us wrote it.
            Ok(unsafe { slot.assume_init() })
        } else {
            Err(RecvError)
        }
    }

    /// [`Chan::recv`] up to parking: takes the lock and receives into
    /// `dst` if a value is there (`Got`, lock released), or sees the
    /// channel closed and drained (`Closed`, lock released); else
    /// `Wait`, with the lock still held.
    ///
    /// # Safety
    /// `dst` is valid for a write of a `T`.
    #[inline]
    unsafe fn recv_now(&self, dst: *mut T) -> RecvNow {
        // Fast path: closed and drained needs no lock (Go's "empty && closed").
        if self.h.closed.load(Acquire) && self.h.qcount.load(Acquire) == 0 {
            self.h.lock.lock();
            // SAFETY: lock held: authoritative re-check.
            let st = unsafe { self.st() };
            if st.qcount == 0 && st.sendq.is_empty() {
                self.h.lock.unlock();
                return RecvNow::Closed;
            }
            self.h.lock.unlock();
        }
        self.h.lock.lock();
        // SAFETY: lock held; dst valid (contract); recv_locked unlocks
        // when it returns true.
        if unsafe { self.recv_locked(dst) } {
            return RecvNow::Got;
        }
        // SAFETY: lock held.
        if unsafe { self.st() }.closed {
            self.h.lock.unlock();
            return RecvNow::Closed;
        }
        RecvNow::Wait
    }

    /// [`Chan::recv`]'s park: queues a sudog for `dst` and parks until a
    /// sender fills it (true) or the channel closes (false).
    ///
    /// # Safety
    /// The channel's lock is held (it is released by the park); `dst` is
    /// valid for a write of a `T` until this returns (another goroutine
    /// writes it meanwhile).
    unsafe fn recv_park(&self, dst: *mut T) -> bool {
        let mut sg = Sudog::new(getg(), dst as *mut u8);
        // SAFETY: lock held (contract); sg lives in this frame while
        // parked, and dst stays valid (contract).
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
        sg.success
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
        // SAFETY: lock held, the pointer is v's; unlocks on success.
        if unsafe { self.send_locked(&v) } {
            core::mem::forget(v);
            Ok(())
        } else {
            self.h.lock.unlock();
            Err(TrySendError::Full(v))
        }
    }

    /// Non-blocking receive.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut slot = MaybeUninit::<T>::uninit();
        self.h.lock.lock();
        // SAFETY: lock held; slot valid for a write; unlocks on true.
        if unsafe { self.recv_locked(slot.as_mut_ptr()) } {
            // SAFETY: recv_locked initialised it.
            return Ok(unsafe { slot.assume_init() });
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
