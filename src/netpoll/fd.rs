//! An owned descriptor in the poller: Go's `internal/poll.FD` (fd_unix.go:
//! `Init`, `Read`, `Write`, `Close`, `RawRead`/`RawWrite`, `Accept`'s
//! waiting loop) and its `fdMutex` (fd_mutex.go).
//!
//! Every operation takes a reference on the descriptor first
//! ([`proto::fdref`](super::proto::fdref)); reads also take the read lock
//! and writes the write lock (goroutine locks: one reader and one writer
//! at a time, as Go's `readLock`/`writeLock`, because a direction of a
//! poll descriptor has room for one waiter). Then: the syscall; `EINTR`,
//! again; `EAGAIN`, park on the poll descriptor until ready (or the
//! deadline, or close), then again.
//!
//! Closing marks the descriptor closed, wakes every operation parked on it
//! with [`PollError::Closed`] and drops the closer's reference; whoever
//! drops the last reference takes the fd out of epoll, closes it and
//! returns the poll descriptor to the cache. So the fd number is never
//! closed while a syscall may still use it, and a goroutine parked on the
//! old descriptor is never woken by whoever gets that number next.

use core::sync::atomic::AtomicU64;

use super::pd::PollDesc;
use super::proto::fdref;
use super::{Mode, PollError, PollResult, poller};
use crate::sync::RawMutex;
use crate::sys::{Errno, file};

/// An owned non-blocking descriptor registered with the poller.
pub(crate) struct Fd {
    /// Closed bit and references ([`fdref`]).
    state: AtomicU64,
    raw: i32,
    pd: &'static PollDesc,
    /// Serialise readers, and writers (goroutine locks).
    rmu: RawMutex,
    wmu: RawMutex,
}

/// Drops an operation's hold (its lock, if any, then its reference) when
/// the operation ends, however it ends.
struct Hold<'a> {
    fd: &'a Fd,
    lock: Option<&'a RawMutex>,
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        if let Some(l) = self.lock {
            l.unlock();
        }
        self.fd.decref();
    }
}

impl Fd {
    /// Takes ownership of `raw` (non-blocking, close-on-exec) and registers
    /// it with the poller, creating the poller at first use. On error `raw`
    /// is closed.
    pub(crate) fn new(raw: i32) -> PollResult<Fd> {
        let p = poller::get();
        let pd = PollDesc::open(raw);
        if let Err(e) = p.add(raw, pd) {
            pd.free();
            file::close(raw);
            return Err(PollError::Os(e));
        }
        Ok(Fd {
            state: AtomicU64::new(0),
            raw,
            pd,
            rmu: RawMutex::new(),
            wmu: RawMutex::new(),
        })
    }

    /// The descriptor's number (while it is open).
    pub(crate) fn raw(&self) -> i32 {
        self.raw
    }

    /// Takes a reference, and `lock` if given.
    fn hold<'a>(&'a self, lock: Option<&'a RawMutex>) -> PollResult<Hold<'a>> {
        if !fdref::incref(&self.state) {
            return Err(PollError::Closed);
        }
        if let Some(l) = lock {
            l.lock();
        }
        let h = Hold { fd: self, lock };
        // Closed while this operation waited for the lock.
        if fdref::is_closed(&self.state) {
            return Err(PollError::Closed);
        }
        Ok(h)
    }

    fn decref(&self) {
        if fdref::decref(&self.state) {
            self.destroy();
        }
    }

    /// The last reference of a closed descriptor is gone: release it.
    fn destroy(&self) {
        poller::get().remove(self.raw);
        file::close(self.raw);
        self.pd.free();
    }

    /// The waiting loop of every operation in `mode`.
    fn run<T>(&self, mode: Mode, mut op: impl FnMut(i32) -> Result<T, Errno>) -> PollResult<T> {
        let lock = match mode {
            Mode::Write => &self.wmu,
            _ => &self.rmu,
        };
        let _hold = self.hold(Some(lock))?;
        self.pd.prepare(mode)?;
        loop {
            match op(self.raw) {
                Ok(v) => return Ok(v),
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => self.pd.wait(mode)?,
                Err(e) => return Err(PollError::Os(e)),
            }
        }
    }

    /// Runs `op` (one non-blocking syscall on the fd) until it does not
    /// answer `EAGAIN`, parking until readable between tries.
    pub(crate) fn read_with<T>(&self, op: impl FnMut(i32) -> Result<T, Errno>) -> PollResult<T> {
        self.run(Mode::Read, op)
    }

    /// As [`Fd::read_with`], for writability and the write deadline.
    pub(crate) fn write_with<T>(&self, op: impl FnMut(i32) -> Result<T, Errno>) -> PollResult<T> {
        self.run(Mode::Write, op)
    }

    /// `read(2)`; `Ok(0)` is end of file (for a non-empty `buf`).
    pub(crate) fn read(&self, buf: &mut [u8]) -> PollResult<usize> {
        self.read_with(|fd| file::read(fd, buf))
    }

    /// Runs `op` holding only a reference (for calls that do not wait:
    /// getsockname, setsockopt, shutdown).
    pub(crate) fn with_ref<T>(&self, op: impl FnOnce(i32) -> Result<T, Errno>) -> PollResult<T> {
        let _hold = self.hold(None)?;
        op(self.raw).map_err(PollError::Os)
    }

    /// Sets the deadline(s) (a nanotime, 0 for none, at or before now:
    /// passed). No effect once closed.
    pub(crate) fn set_deadline(&self, mode: Mode, when: i64) {
        let Ok(_hold) = self.hold(None) else { return };
        self.pd
            .set_deadline(mode, when, crate::sys::time::nanotime());
    }

    /// Closes (Go's `FD.Close`): operations parked on the descriptor wake
    /// with `Closed`; the number is released when the last one has left.
    /// `Err(Closed)` if it was closed already.
    pub(crate) fn close(&self) -> PollResult<()> {
        if !fdref::close(&self.state) {
            return Err(PollError::Closed);
        }
        self.pd.evict();
        self.decref();
        Ok(())
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
