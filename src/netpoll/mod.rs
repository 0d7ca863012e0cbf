//! STAND-IN for the netpoller (the lead's src/netpoll/ replaces this file
//! at merge): exactly the signatures of NETPOLL_API.md, implemented
//! without epoll so that net/ can be written and tested first. Go's
//! counterpart of the real thing: internal/poll.FD + runtime/netpoll.go.
//!
//! How it waits: an operation that meets `EAGAIN` yields a few times
//! (`gosched`), then blocks its thread in `poll(2)` for at most
//! [`POLL_SLICE_MS`] as a blocking system call (the P is handed off), and
//! retries; between slices it checks the Fd's closed flag and deadline.
//! So a close or a deadline is seen within one slice, not at once.
//!
//! Closing: `state` counts operations in flight (units of [`REF`]) with a
//! closing bit and a closed bit; close(2) runs when the closing bit is set
//! and the count drops to zero, exactly once (the closed bit is claimed by
//! a compare-exchange).

use core::sync::atomic::AtomicUsize;
use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};
use core::sync::atomic::{AtomicI32, AtomicI64};

use crate::sys::Errno;
use crate::sys::syscall::{check, nr, syscall3};

/// Why a poll operation failed (converted into io::Error by net/).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PollError {
    /// The syscall's own error.
    Os(Errno),
    /// The Fd was closed: Go's ErrNetClosing.
    Closed,
    /// The deadline passed: Go's ErrDeadlineExceeded.
    TimedOut,
}

pub(crate) type PollResult<T> = Result<T, PollError>;

/// Which deadline(s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Read,
    Write,
    Both,
}

/// Longest single blocking poll(2), in milliseconds.
const POLL_SLICE_MS: i64 = 10;
/// Yields before the first blocking poll.
const SPIN_YIELDS: u32 = 2;
/// poll(2) events.
const POLLIN: i16 = 0x1;
const POLLOUT: i16 = 0x4;

/// `state` bits: close() was called; close(2) has run (or is running).
const CLOSING: usize = 1;
const CLOSED: usize = 2;
/// One operation in flight.
const REF: usize = 4;

/// The kernel's `struct pollfd`.
#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

/// One descriptor (stand-in for Go's internal/poll.FD).
pub(crate) struct Fd {
    raw: AtomicI32,
    state: AtomicUsize,
    read_deadline: AtomicI64,
    write_deadline: AtomicI64,
}

impl Fd {
    /// Takes ownership of `raw` (non-blocking, close-on-exec).
    pub(crate) fn new(raw: i32) -> PollResult<Fd> {
        Ok(Fd {
            raw: AtomicI32::new(raw),
            state: AtomicUsize::new(0),
            read_deadline: AtomicI64::new(0),
            write_deadline: AtomicI64::new(0),
        })
    }

    /// The descriptor number.
    pub(crate) fn raw(&self) -> i32 {
        self.raw.load(Relaxed)
    }

    fn incref(&self) -> PollResult<()> {
        let s = self.state.fetch_add(REF, Acquire);
        if s & CLOSING != 0 {
            self.decref();
            return Err(PollError::Closed);
        }
        Ok(())
    }

    fn decref(&self) {
        let s = self.state.fetch_sub(REF, AcqRel) - REF;
        if s == CLOSING {
            self.destroy();
        }
    }

    /// Runs close(2) once, when closing and nothing is in flight.
    fn destroy(&self) {
        if self
            .state
            .compare_exchange(CLOSING, CLOSING | CLOSED, AcqRel, Relaxed)
            .is_ok()
        {
            crate::sys::file::close(self.raw());
        }
    }

    fn closing(&self) -> bool {
        self.state.load(Acquire) & CLOSING != 0
    }

    /// Waits until `events` on the fd, closing or the deadline.
    fn wait(&self, events: i16, deadline: &AtomicI64, spins: &mut u32) -> PollResult<()> {
        loop {
            if self.closing() {
                return Err(PollError::Closed);
            }
            let d = deadline.load(Relaxed);
            let now = crate::sys::time::nanotime();
            if d != 0 && d <= now {
                return Err(PollError::TimedOut);
            }
            if *spins < SPIN_YIELDS {
                *spins += 1;
                crate::sched::schedule::gosched();
                return Ok(());
            }
            let mut ms = POLL_SLICE_MS;
            if d != 0 {
                ms = ms.min((d - now) / 1_000_000 + 1);
            }
            let mut p = PollFd {
                fd: self.raw(),
                events,
                revents: 0,
            };
            crate::sched::syscall::entersyscallblock();
            // SAFETY: p is one valid, writable pollfd.
            let r = check(unsafe {
                syscall3(nr::SYS_poll, &mut p as *mut PollFd as usize, 1, ms as usize)
            });
            crate::sched::syscall::exitsyscall();
            if let Ok(n) = r
                && n > 0
            {
                return Ok(());
            }
        }
    }

    fn op_with<T>(
        &self,
        events: i16,
        deadline: &AtomicI64,
        mut op: impl FnMut(i32) -> Result<T, Errno>,
    ) -> PollResult<T> {
        self.incref()?;
        let mut spins = 0;
        let r = loop {
            if self.closing() {
                break Err(PollError::Closed);
            }
            let d = deadline.load(Relaxed);
            if d != 0 && d <= crate::sys::time::nanotime() {
                break Err(PollError::TimedOut);
            }
            match op(self.raw()) {
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => {
                    if let Err(e) = self.wait(events, deadline, &mut spins) {
                        break Err(e);
                    }
                }
                r => break r.map_err(PollError::Os),
            }
        };
        self.decref();
        r
    }

    /// Runs `op(raw)` until it does not say EAGAIN, waiting for readability.
    pub(crate) fn read_with<T>(&self, op: impl FnMut(i32) -> Result<T, Errno>) -> PollResult<T> {
        self.op_with(POLLIN, &self.read_deadline, op)
    }

    /// Same for writability and the write deadline.
    pub(crate) fn write_with<T>(&self, op: impl FnMut(i32) -> Result<T, Errno>) -> PollResult<T> {
        self.op_with(POLLOUT, &self.write_deadline, op)
    }

    /// read(2) through read_with.
    pub(crate) fn read(&self, buf: &mut [u8]) -> PollResult<usize> {
        self.read_with(|fd| crate::sys::file::read(fd, buf))
    }

    /// Parks until the fd is writable, the write deadline, or close.
    pub(crate) fn wait_write(&self) -> PollResult<()> {
        self.incref()?;
        let mut spins = SPIN_YIELDS;
        let r = self.wait(POLLOUT, &self.write_deadline, &mut spins);
        self.decref();
        r
    }

    /// Runs `op(raw)` holding a reference only.
    pub(crate) fn with_ref<T>(&self, op: impl FnOnce(i32) -> Result<T, Errno>) -> PollResult<T> {
        self.incref()?;
        let r = op(self.raw()).map_err(PollError::Os);
        self.decref();
        r
    }

    /// Sets the deadline(s): absolute nanotime, 0 = none.
    pub(crate) fn set_deadline(&self, mode: Mode, when: i64) {
        if matches!(mode, Mode::Read | Mode::Both) {
            self.read_deadline.store(when, Relaxed);
        }
        if matches!(mode, Mode::Write | Mode::Both) {
            self.write_deadline.store(when, Relaxed);
        }
    }

    /// Closes (waiters see it within one poll slice).
    pub(crate) fn close(&self) -> PollResult<()> {
        let s = self.state.fetch_or(CLOSING, AcqRel);
        if s & CLOSING != 0 {
            return Err(PollError::Closed);
        }
        if s < REF {
            self.destroy();
        }
        Ok(())
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
