//! Hooks for this package's own test programs (tests/programs/), as Go's
//! `runtime/export_test.go` exports internals to the runtime's own tests
//! only. **Not API**: hidden from the docs, no stability promise, and a
//! program outside this repository must not use it. Each hook reads
//! runtime state that no public call can show, for a test that must
//! know it (that goroutines really parked before a close, which P runs a
//! goroutine, that the runtime opened exactly one pidfd).
//!
//! Every hook only reads; none changes what the runtime does, but
//! [`PollPipe`], which gives the netpoller's own test programs a
//! descriptor in the poller before and beside `rt0::net`.

use crate::sys::Errno;

/// Goroutines parked now with wait reason `reason`, as it appears in
/// `goroutine N [reason]:` (what Go's tests learn by parsing
/// `runtime.Stack(buf, true)`).
pub fn parked(reason: &str) -> usize {
    use crate::sched::g::{G, GWAITING};
    let allgs = crate::sched::sched::ALLGS.lock();
    allgs
        .iter()
        .filter(|&&gp| {
            // SAFETY: Gs in allgs are never freed; the status is atomic and
            // the reason is written before the status turns to waiting.
            let g = unsafe { &*(gp as *const G) };
            g.status() == GWAITING && g.waitreason.as_str() == reason
        })
        .count()
}

/// The id and `schedtick` of the P running the calling goroutine.
pub fn current_p() -> (i32, u32) {
    // The goroutine must not move to another M between the two reads.
    let _no_preempt = crate::sched::preempt::NoPreempt::new();
    // SAFETY: a running goroutine's M holds a P, and Ps are never freed;
    // schedtick is written only by the M holding the P, which is ours.
    unsafe {
        let pp = (*crate::sched::sched::getm()).p;
        (
            (*pp).id,
            (*pp).schedtick.load(core::sync::atomic::Ordering::Relaxed),
        )
    }
}

/// The runtime's own pidfd (for `process_madvise`), opened on first use.
pub fn self_pidfd() -> Result<i32, Errno> {
    crate::sys::mm::self_pidfd()
}

/// Did start-up find the vDSO's `clock_gettime`?
pub fn have_vdso_clock() -> bool {
    crate::sys::time::have_vdso_clock()
}

/// The monotonic clock read through the system call, never the vDSO.
pub fn nanotime_syscall() -> i64 {
    crate::sys::time::nanotime_syscall()
}

/// Timers in all Ps' heaps now (stopped timers are never among them).
pub fn timers_in_heaps() -> usize {
    crate::time::timers::in_heaps()
}

/// One end of a non-blocking pipe in the netpoller (for
/// tests/programs/netpoll_pipes.rs): the poller's operations on the
/// simplest descriptor there is.
pub struct PollPipe {
    fd: crate::netpoll::Fd,
}

/// The poller's error as the test programs print it.
fn poll_err(e: crate::netpoll::PollError) -> &'static str {
    use crate::netpoll::PollError;
    match e {
        PollError::Closed => "closed",
        PollError::TimedOut => "timeout",
        PollError::Os(_) => "os error",
    }
}

/// A pipe (read end, write end), both in the poller.
pub fn poll_pipe() -> Result<(PollPipe, PollPipe), Errno> {
    let (r, w) = crate::sys::file::pipe2_nonblock()?;
    let r = crate::netpoll::Fd::new(r).map_err(|_| Errno::EIO)?;
    let w = crate::netpoll::Fd::new(w).map_err(|_| Errno::EIO)?;
    Ok((PollPipe { fd: r }, PollPipe { fd: w }))
}

impl PollPipe {
    /// Reads, parking until there is data, EOF, the deadline or close.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, &'static str> {
        self.fd.read(buf).map_err(poll_err)
    }

    /// Writes all of `buf`, parking while the pipe is full.
    pub fn write_all(&self, mut buf: &[u8]) -> Result<(), &'static str> {
        while !buf.is_empty() {
            let n = self
                .fd
                .write_with(|fd| crate::sys::file::write(fd, buf))
                .map_err(poll_err)?;
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Sets the read and write deadline to nanotime `when` (0: none).
    pub fn set_deadline(&self, when: i64) {
        self.fd.set_deadline(crate::netpoll::Mode::Both, when);
    }

    /// Closes, waking goroutines parked on this end.
    pub fn close(&self) -> Result<(), &'static str> {
        self.fd.close().map_err(poll_err)
    }

    /// The descriptor number.
    pub fn raw(&self) -> i32 {
        self.fd.raw()
    }
}

/// Goroutines parked in the netpoller now.
pub fn netpoll_waiters() -> i64 {
    crate::netpoll::waiters().load(core::sync::atomic::Ordering::SeqCst)
}

/// How many asynchronous preemptions the runtime has performed so far.
pub fn preemptions() -> u64 {
    crate::sched::preempt::preemptions()
}

/// The kernel thread id of the calling goroutine's thread (`gettid`), for
/// the lock_os_thread tests.
pub fn gettid() -> i32 {
    crate::sys::process::gettid()
}

/// Is the calling goroutine locked to its thread?
pub fn os_thread_locked() -> bool {
    crate::sched::lockosthread::locked()
}
