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
//! **A short read means the queue is empty.** On a stream (a TCP or Unix
//! stream socket, a pipe), a read that returns fewer bytes than asked for
//! took every byte the kernel had, and any byte that arrives after it
//! raises a new edge-triggered event. So the next [`Fd::read`] does not
//! try the syscall first (it would answer `EAGAIN`): it waits for that
//! event, or takes it at once if it came already. Not so once an event
//! has reported hang-up or an error ([`proto::shortread`](super::proto::shortread)): end of file
//! (or the error) may sit right behind the bytes read, already reported
//! by the event that woke the reader, and no new edge will come for it;
//! from then on every read tries the syscall first. In a request/response
//! exchange this saves one `read` per request (tokio clears its readiness
//! on a short read for the same reason; Go always tries the syscall). Any
//! other read operation (`read_with`: accept, recv, recvfrom, a peek)
//! forgets the mark, since it resets the readiness it relies on.
//!
//! Closing marks the descriptor closed, wakes every operation parked on it
//! with [`PollError::Closed`] and drops the closer's reference; whoever
//! drops the last reference takes the fd out of epoll, closes it and
//! returns the poll descriptor to the cache. So the fd number is never
//! closed while a syscall may still use it, and a goroutine parked on the
//! old descriptor is never woken by whoever gets that number next.

use core::sync::atomic::{AtomicBool, AtomicU64};

use super::pd::PollDesc;
use super::proto::{fdref, shortread};
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
    /// The last [`Fd::read`] was short (module note). Touched only under
    /// `rmu`, which orders it.
    drained: AtomicBool,
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
            drained: AtomicBool::new(false),
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
        if mode == Mode::Read {
            shortread::after_read(&self.drained, 0, 0);
        }
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

    /// `read(2)` of a stream; `Ok(0)` is end of file (for a non-empty
    /// `buf`). After a short read it waits for the next event before the
    /// syscall (module note), so the readiness is not reset first. Only
    /// for a stream whose read takes all it has (a socket, a pipe): a
    /// terminal answers a line per read and must use [`Fd::read_with`].
    pub(crate) fn read(&self, buf: &mut [u8]) -> PollResult<usize> {
        let _hold = self.hold(Some(&self.rmu))?;
        self.pd.check_err(Mode::Read)?;
        if shortread::wait_first(&self.drained, buf.len(), self.pd.hup()) {
            self.pd.wait(Mode::Read)?;
        }
        loop {
            match file::read(self.raw, buf) {
                Ok(n) => {
                    shortread::after_read(&self.drained, n, buf.len());
                    return Ok(n);
                }
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => self.pd.wait(Mode::Read)?,
                Err(e) => {
                    shortread::after_read(&self.drained, 0, buf.len());
                    return Err(PollError::Os(e));
                }
            }
        }
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
