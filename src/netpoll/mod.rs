//! The netpoller: goroutines wait for file descriptors without holding a
//! thread. Go's `runtime/netpoll.go` and `netpoll_epoll.go`, with the part
//! of `internal/poll` (`FD`, `fdMutex`, `pollDesc`) that the network
//! types stand on, rewritten for rt0.
//!
//! - [`Fd`] (fd.rs): an owned non-blocking descriptor in the poller. Its
//!   operations run the syscall and, on `EAGAIN`, park the goroutine until
//!   the descriptor is ready, its deadline passes or it is closed; a
//!   reference count keeps the number from being closed (and reused)
//!   under a running operation.
//! - [`pd`]: the poll descriptors, with their waiting words, deadlines and
//!   generations, reused after close; the lock-free parts are in
//!   [`proto`] and checked in loom.
//! - [`poller`]: the epoll instance, created at first use, and the
//!   netpoller as the scheduler's second wake-up source
//!   ([`crate::sched::wakeup`]): the M that would sleep blocks in
//!   `epoll_wait` with the earliest timer as its timeout, and an eventfd
//!   breaks it.
//!
//! Invariants: a goroutine waits on at most one descriptor direction at a
//! time, and a direction has at most one waiter (the operation holding
//! the `Fd`'s lock for it); [`waiters`] counts the goroutines parked in
//! the poller, and while it is above zero the program is not deadlocked.

mod fd;
pub(crate) mod pd;
pub(crate) mod poller;
pub(crate) mod proto;

use core::sync::atomic::AtomicI64;

pub(crate) use fd::Fd;

use crate::sys::Errno;

/// Why a poll operation failed; the network types turn it into an
/// `io::Error`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PollError {
    /// The system call's own error.
    Os(Errno),
    /// The descriptor was closed, before or during the call (Go's
    /// `ErrNetClosing`: "use of closed network connection").
    Closed,
    /// The deadline passed (Go's `ErrDeadlineExceeded`: "i/o timeout").
    TimedOut,
}

pub(crate) type PollResult<T> = Result<T, PollError>;

impl From<Errno> for PollError {
    fn from(e: Errno) -> PollError {
        PollError::Os(e)
    }
}

/// Which direction(s) a deadline or a wait is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    Read,
    Write,
    Both,
}

/// Goroutines parked in the poller (Go's `netpollWaiters`), kept by the
/// waiting-word protocol (proto/pollwait.rs): counted before a goroutine
/// becomes visible in its word, so never below the number truly parked
/// and never negative (signed so that a bug would show as one).
static WAITERS: AtomicI64 = AtomicI64::new(0);

pub(crate) fn waiters() -> &'static AtomicI64 {
    &WAITERS
}
