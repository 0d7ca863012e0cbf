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
pub fn netpoll_waiters() -> usize {
    // Raised before a goroutine parks, lowered after it wakes: never negative.
    crate::netpoll::waiters()
        .load(core::sync::atomic::Ordering::SeqCst)
        .max(0) as usize
}

/// Has sysmon's thread been started (it starts with the program's first
/// goroutine, timer or network use: `sched::sysmon::start`)?
pub fn sysmon_started() -> bool {
    crate::sched::sysmon::started()
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

/// The frames of the calling goroutine as the unwinder (`debug::cfi`)
/// finds them in `.eh_frame`, from this hook's own frame up to the bottom
/// of the goroutine's stack (goexit): each frame's lookup pc (the pc for
/// the first, a return address minus one for the others), at most
/// `out.len()` of them; returns how many. Reads nothing outside the
/// goroutine's stack. For tests/cfi_walk.rs, which checks them against
/// `addr2line`.
#[inline(never)]
pub fn unwind_self(out: &mut [u64]) -> usize {
    use crate::debug::cfi::{Frame, Regs};
    let (pc, sp, bp) = crate::arch::context::here();
    // SAFETY: getg() is the running goroutine, never freed; only its own
    // M changes its stack bounds, and not while it runs.
    let (lo, hi) = unsafe {
        let g = &*crate::sched::sched::getg();
        (g.stack.lo, g.stack.hi)
    };
    let first = Frame::new(Regs::new(pc as u64, sp as u64, bp as u64), true);
    unwind_within(first, lo as u64, hi as u64, out)
}

/// As [`unwind_self`], for the first goroutine other than the caller that
/// is runnable and has a stack, from its saved context (`gp.sched`, whose
/// pc is where it resumes: exact): a goroutine asynchronously preempted
/// is parked there. Call it with GOMAXPROCS=1, so that goroutine cannot
/// run meanwhile. Returns 0 if there is none.
pub fn unwind_runnable(out: &mut [u64]) -> usize {
    use crate::debug::cfi::{Frame, Regs};
    use crate::sched::g::{G, GRUNNABLE};
    let me = crate::sched::sched::getg() as usize;
    let allgs = crate::sched::sched::ALLGS.lock();
    for &gp in allgs.iter() {
        // SAFETY: Gs in allgs are never freed; a runnable G's sched and
        // stack are written before it turns runnable, and with one P
        // nothing runs it while this goroutine does.
        let g = unsafe { &*(gp as *const G) };
        if gp != me && g.status() == GRUNNABLE && g.stack.lo != 0 {
            let s = &g.sched;
            let first = Frame::new(Regs::new(s.pc as u64, s.sp as u64, s.bp as u64), true);
            return unwind_within(first, g.stack.lo as u64, g.stack.hi as u64, out);
        }
    }
    0
}

/// The walk of [`unwind_self`] and [`unwind_runnable`]: lookup pcs from
/// `first` up, reading only aligned words of the stack `[lo, hi)`.
fn unwind_within(first: crate::debug::cfi::Frame, lo: u64, hi: u64, out: &mut [u64]) -> usize {
    let mut read = |a: u64| -> Option<u64> {
        if a >= lo && a < hi.saturating_sub(7) && a.is_multiple_of(8) {
            // SAFETY: an aligned word of the goroutine's own stack, which
            // is mapped (committed on touch) for as long as the G has it.
            Some(unsafe { *(a as *const u64) })
        } else {
            None
        }
    };
    let mut frame = first;
    let mut n = 0;
    for slot in out.iter_mut() {
        *slot = frame.lookup_pc();
        n += 1;
        match crate::debug::cfi::step(&frame, &mut read) {
            Some(next) => frame = next,
            None => break,
        }
    }
    n
}

/// How goroutine stacks are guarded in this process: `"madvise"`
/// (`MADV_GUARD_INSTALL`, no extra mapping) or `"mprotect"` (two mappings
/// per stack), as the probe at the first stack found.
pub fn stack_guard() -> &'static str {
    match crate::mem::stack::guard_kind() {
        crate::mem::stack::GuardKind::Madvise => "madvise",
        crate::mem::stack::GuardKind::Mprotect => "mprotect",
    }
}
