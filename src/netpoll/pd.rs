//! Poll descriptors: Go's `pollDesc` and `pollCache` (netpoll.go) and the
//! `poll_runtime_poll*` functions that `internal/poll` calls (`Open`,
//! `Close`, `Reset`, `Wait`, `SetDeadline`, `Unblock`).
//!
//! One [`PollDesc`] per descriptor in the poller: the read and the write
//! waiting words ([`super::proto::pollwait`]), the deadlines with their
//! timers, the `closing` flag, and a generation (`fdseq`). Descriptors are
//! allocated once and never freed: a closed one goes back to the cache
//! and is reused, as Go's are. That is what makes stale references safe:
//! - an epoll event carries the descriptor's address *and* the generation
//!   it was registered with ([`tag`]); an event fetched before a close and
//!   handled after the descriptor was reused for another fd carries the
//!   old generation and wakes nobody ([`PollDesc::from_event`]);
//! - a deadline timer that fires while its deadline is being moved or its
//!   fd closed finds, under the lock, that the deadline it stood for is
//!   gone (moved later, cleared, or `closing`) and does nothing.
//!
//! Locking: `lock` (a runtime futex lock: timer functions take it on g0)
//! guards `closing`, the deadlines and the arming of the timers. The
//! waiting words are lock-free. `rd`/`wd` are atomics so that a waiter
//! can check them without the lock (Go's `publishInfo`); they change only
//! under the lock.
//!
//! A deadline is a nanotime: 0 = none, [`EXPIRED`] = passed (operations
//! fail with `TimedOut` until it is moved), else the time its timer fires.

use alloc::boxed::Box;
use core::ptr::null_mut;
use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicI64, AtomicUsize,
    Ordering::{Relaxed, SeqCst},
};

use super::proto::pollwait::{self, Begin};
use super::proto::shortread;
use super::proto::store_load_fence;
use super::{Mode, PollError, PollResult, waiters};
use crate::debug::fatal::throw;
use crate::sched::g::{G, WaitReason};
use crate::sched::lock::Mutex;
use crate::sched::runq::GQueue;
use crate::sched::schedule::{gopark, goready, ready};
use crate::time::timers::{RuntimeTimer, add_uncounted, del_timer};

/// A deadline that has passed.
pub(crate) const EXPIRED: i64 = -1;

/// Bits of an epoll event's data that hold the descriptor's address: user
/// addresses on x86_64 Linux are below 2^47 (2^56 only for mappings that
/// ask for it, which the heap never does). The generation sits above.
const ADDR_BITS: u32 = 48;
const ADDR_MASK: u64 = (1 << ADDR_BITS) - 1;

/// One descriptor in the poller (Go's `pollDesc`).
pub(crate) struct PollDesc {
    /// Next in the cache's free list (under the cache's lock).
    link: *mut PollDesc,
    /// Guards `closing`, `rd`/`wd` changes and the timers' arming.
    lock: Mutex,
    /// The fd (for reports; -1 while in the cache).
    fd: AtomicI32,
    /// Generation: bumped each time the descriptor returns to the cache.
    fdseq: AtomicUsize,
    /// The read and write waiting words (Go's `rg`, `wg`).
    rg: AtomicUsize,
    wg: AtomicUsize,
    /// Set (under `lock`) by close: every wait fails with `Closed`.
    closing: AtomicBool,
    /// An event reported hang-up or an error (`EPOLLRDHUP`, `EPOLLHUP`,
    /// `EPOLLERR`): a state that stays, and raises no further edge. Set
    /// before the waiter is woken; reset only when the descriptor is
    /// reused. See [`PollDesc::hup`].
    hup: AtomicBool,
    /// Read and write deadlines (see the module note).
    rd: AtomicI64,
    wd: AtomicI64,
    /// Their timers (uncounted: the descriptor outlives them).
    rt: RuntimeTimer,
    wt: RuntimeTimer,
}

// SAFETY: every field is atomic or a lock, but `link` (touched only under
// the cache's lock) and the timers (touched through the timer protocol,
// whose own atomics order them; arming happens under `lock`).
unsafe impl Sync for PollDesc {}
// SAFETY: as for Sync: a PollDesc is shared, never owned by one thread.
unsafe impl Send for PollDesc {}

/// The free list of descriptors (Go's `pollCache`).
struct Cache {
    first: *mut PollDesc,
}

// SAFETY: the list is touched only under CACHE's lock.
unsafe impl Send for Cache {}

static CACHE: crate::spinlock::SpinLock<Cache> =
    crate::spinlock::SpinLock::new(Cache { first: null_mut() });

/// The generation as it is stored in an event's data.
fn tag_bits(seq: usize) -> u64 {
    (seq as u64) << ADDR_BITS
}

impl PollDesc {
    fn new() -> &'static PollDesc {
        let pd = Box::leak(Box::new(PollDesc {
            link: null_mut(),
            lock: Mutex::new(),
            fd: AtomicI32::new(-1),
            fdseq: AtomicUsize::new(0),
            rg: AtomicUsize::new(pollwait::NIL),
            wg: AtomicUsize::new(pollwait::NIL),
            closing: AtomicBool::new(false),
            hup: AtomicBool::new(false),
            rd: AtomicI64::new(0),
            wd: AtomicI64::new(0),
            rt: RuntimeTimer::uncounted(read_deadline_fired, 0),
            wt: RuntimeTimer::uncounted(write_deadline_fired, 0),
        }));
        let addr = pd as *const PollDesc as usize;
        if addr as u64 & !ADDR_MASK != 0 {
            throw("netpoll: poll descriptor above the tagged-pointer range");
        }
        pd.rt.arg = addr;
        pd.wt.arg = addr;
        pd
    }

    /// A descriptor for `fd`, from the cache or new (Go's `pollCache.alloc`
    /// plus the reset of `poll_runtime_pollOpen`).
    pub(crate) fn open(fd: i32) -> &'static PollDesc {
        let cached = {
            let mut c = CACHE.lock();
            let pd = c.first;
            if !pd.is_null() {
                // SAFETY: descriptors in the list are leaked boxes, never
                // freed; `link` is touched only under this lock.
                c.first = unsafe { (*pd).link };
            }
            pd
        };
        let pd: &'static PollDesc = if cached.is_null() {
            PollDesc::new()
        } else {
            // SAFETY: never freed (see above).
            unsafe { &*cached }
        };
        pd.lock.lock();
        if pd.rg.load(SeqCst) > pollwait::WAIT || pd.wg.load(SeqCst) > pollwait::WAIT {
            throw("runtime: blocked read or write on a free polldesc");
        }
        pd.fd.store(fd, Relaxed);
        pd.closing.store(false, SeqCst);
        pd.hup.store(false, SeqCst);
        pd.rg.store(pollwait::NIL, SeqCst);
        pd.wg.store(pollwait::NIL, SeqCst);
        pd.rd.store(0, SeqCst);
        pd.wd.store(0, SeqCst);
        pd.lock.unlock();
        pd
    }

    /// What the epoll registration's data holds: address and generation.
    pub(crate) fn tag(&self) -> u64 {
        self as *const PollDesc as u64 | tag_bits(self.fdseq.load(SeqCst))
    }

    /// The descriptor an event names, if the event is not stale (its
    /// generation is the descriptor's current one).
    ///
    /// # Safety
    /// `data` is what a registration of a [`PollDesc::tag`] handed back.
    pub(crate) unsafe fn from_event(data: u64) -> Option<&'static PollDesc> {
        let addr = (data & ADDR_MASK) as usize as *const PollDesc;
        // SAFETY: registered descriptors are never freed (contract: the data
        // came from `tag`).
        let pd = unsafe { &*addr };
        (tag_bits(pd.fdseq.load(SeqCst)) == data & !ADDR_MASK).then_some(pd)
    }

    /// Back to the cache, after the fd left epoll and was closed (Go's
    /// `pollCache.free`): the generation moves on, so stale events and
    /// timers for the old fd find nothing of theirs.
    pub(crate) fn free(&'static self) {
        self.fd.store(-1, Relaxed);
        self.fdseq.fetch_add(1, SeqCst);
        let me = self as *const PollDesc as *mut PollDesc;
        let mut c = CACHE.lock();
        // SAFETY: `me` is ours (its fd is gone, no operation holds it);
        // `link` is touched only under the cache's lock, held here.
        unsafe { (*me).link = c.first };
        c.first = me;
    }

    fn word(&self, mode: Mode) -> &AtomicUsize {
        match mode {
            Mode::Write => &self.wg,
            _ => &self.rg,
        }
    }

    /// Why an operation in `mode` cannot go on, if it cannot (Go's
    /// `netpollcheckerr`).
    pub(crate) fn check_err(&self, mode: Mode) -> PollResult<()> {
        if self.closing.load(SeqCst) {
            return Err(PollError::Closed);
        }
        let d = match mode {
            Mode::Write => &self.wd,
            _ => &self.rd,
        };
        if d.load(SeqCst) < 0 {
            return Err(PollError::TimedOut);
        }
        Ok(())
    }

    /// Before an operation (Go's `poll_runtime_pollReset`): fails if it
    /// cannot go on, and forgets an old readiness (the operation tries its
    /// syscall first anyway).
    pub(crate) fn prepare(&self, mode: Mode) -> PollResult<()> {
        self.check_err(mode)?;
        pollwait::reset(self.word(mode));
        Ok(())
    }

    /// Parks until the fd is ready for `mode`, or the operation fails
    /// (Go's `poll_runtime_pollWait`). Called by the one operation holding
    /// the fd's lock for `mode`.
    pub(crate) fn wait(&self, mode: Mode) -> PollResult<()> {
        self.check_err(mode)?;
        loop {
            if self.block(mode) {
                return Ok(());
            }
            // Woken without readiness: the error that woke it, if any; a
            // deadline that moved on wakes the waiter to wait again.
            self.check_err(mode)?;
        }
    }

    /// Go's `netpollblock`: true if woken by readiness.
    fn block(&self, mode: Mode) -> bool {
        let word = self.word(mode);
        if pollwait::begin(word) == Begin::Ready {
            return true;
        }
        // The claim (a SeqCst CAS) is before these loads of `closing` and
        // the deadline: see the protocol's note.
        store_load_fence();
        if self.check_err(mode).is_ok() {
            // SAFETY: `commit_wait` is sound with this word: it only CASes
            // it, and the word lives in a descriptor that is never freed.
            unsafe {
                gopark(
                    Some(commit_wait),
                    word as *const AtomicUsize as *mut u8,
                    WaitReason::IOWait,
                );
            }
        }
        pollwait::end(word)
    }

    /// Sets the deadline(s) for `mode` (Go's `poll_runtime_pollSetDeadline`):
    /// `when` a nanotime, 0 for none, at or before `now` for "passed".
    /// Called on a goroutine.
    pub(crate) fn set_deadline(&self, mode: Mode, when: i64, now: i64) {
        let new = match when {
            0 => 0,
            w if w <= now => EXPIRED,
            w => w,
        };
        let mut woken = GQueue::new();
        self.lock.lock();
        if self.closing.load(SeqCst) {
            self.lock.unlock();
            return;
        }
        if matches!(mode, Mode::Read | Mode::Both) {
            self.rearm(&self.rd, &self.rt, &self.rg, new, &mut woken);
        }
        if matches!(mode, Mode::Write | Mode::Both) {
            self.rearm(&self.wd, &self.wt, &self.wg, new, &mut woken);
        }
        self.lock.unlock();
        // SAFETY: on a goroutine (this function's contract), so the M holds
        // a P; each G was taken out of its word by `unblock` just now.
        unsafe { ready_all(woken, true) };
    }

    /// One direction of `set_deadline`, under the lock.
    fn rearm(
        &self,
        d: &AtomicI64,
        t: &RuntimeTimer,
        word: &AtomicUsize,
        new: i64,
        woken: &mut GQueue,
    ) {
        let old = d.swap(new, SeqCst);
        if old > 0 {
            // Pending or firing now: a firing one sees the new deadline
            // under the lock and does nothing.
            del_timer(t);
        }
        if new > 0 {
            // SAFETY: the timer is NONE now (one-shot: deleted above, or it
            // fired, or it was never armed; only this lock's holder arms
            // it), and it lives in a descriptor that is never freed.
            unsafe { add_uncounted(t, new) };
        } else if new == EXPIRED {
            take_waiter(word, false, woken);
        }
    }

    /// Wakes every waiter with `Closed` and stops the timers (Go's
    /// `poll_runtime_pollUnblock`, the first step of a close). On a
    /// goroutine.
    pub(crate) fn evict(&self) {
        let mut woken = GQueue::new();
        self.lock.lock();
        if self.closing.swap(true, SeqCst) {
            throw("runtime: unblock on closing polldesc");
        }
        store_load_fence();
        take_waiter(&self.rg, false, &mut woken);
        take_waiter(&self.wg, false, &mut woken);
        if self.rd.swap(0, SeqCst) > 0 {
            del_timer(&self.rt);
        }
        if self.wd.swap(0, SeqCst) > 0 {
            del_timer(&self.wt);
        }
        self.lock.unlock();
        // SAFETY: on a goroutine, so the M holds a P; the Gs came out of
        // their words just now.
        unsafe { ready_all(woken, true) };
    }

    /// The flag an event sets once it reports hang-up or an error: end of
    /// file (or the error) may then sit behind the data a read leaves,
    /// with no edge to come ([`shortread`]).
    pub(crate) fn hup(&self) -> &AtomicBool {
        &self.hup
    }

    /// Readiness from an event (Go's `netpollready`): the waiters of the
    /// directions that are ready go onto `woken`. `hup`: the event reported
    /// hang-up or an error, recorded before anyone is woken.
    pub(crate) fn io_ready(&self, read: bool, write: bool, hup: bool, woken: &mut GQueue) {
        if hup {
            shortread::record_hup(&self.hup);
        }
        if read {
            take_waiter(&self.rg, true, woken);
        }
        if write {
            take_waiter(&self.wg, true, woken);
        }
    }
}

/// `unblock` of one word; a goroutine taken out goes onto `woken` and no
/// longer counts as a waiter.
fn take_waiter(word: &AtomicUsize, ioready: bool, woken: &mut GQueue) {
    let g = pollwait::unblock(word, ioready, waiters());
    if g != 0 {
        // SAFETY: `g` is a parked G (it committed into the word) that we
        // alone took out, so no one else queues it.
        unsafe { woken.push_back(g as *mut G) };
    }
}

/// Makes every G of `q` runnable on this M's P; returns how many.
///
/// # Safety
/// The current M holds a P; each G is parked and was taken out of its
/// waiting word by the caller (so it is readied once). `from_goroutine`:
/// the caller runs on a goroutine (then `goready`), else on g0.
pub(crate) unsafe fn ready_all(mut q: GQueue, from_goroutine: bool) -> usize {
    let mut n = 0;
    loop {
        let gp = q.pop();
        if gp.is_null() {
            return n;
        }
        n += 1;
        // SAFETY: the caller's contract.
        unsafe {
            if from_goroutine {
                goready(gp);
            } else {
                ready(gp, false);
            }
        }
    }
}

/// gopark's commit for a poll wait (Go's `netpollblockcommit`): the G is
/// off its M; park it in the word unless a wake-up came first.
///
/// # Safety
/// `word` points at a waiting word of a live (never freed) descriptor.
unsafe fn commit_wait(gp: *mut G, word: *mut u8) -> bool {
    // SAFETY: the word is live (contract).
    let word = unsafe { &*(word as *const AtomicUsize) };
    pollwait::commit(word, gp as usize, waiters())
}

/// A deadline timer's function (Go's `netpolldeadlineimpl`), on g0 of an
/// M holding a P: if the deadline it stood for is still the one set and
/// has come, mark it passed and wake the waiter.
fn deadline_fired(t: *const RuntimeTimer, now: i64, mode: Mode) {
    // SAFETY: `arg` is the address of the descriptor that owns this timer;
    // descriptors (and so their timers) are never freed.
    let pd = unsafe { &*((*t).arg as *const PollDesc) };
    let (d, word) = match mode {
        Mode::Write => (&pd.wd, &pd.wg),
        _ => (&pd.rd, &pd.rg),
    };
    let mut woken = GQueue::new();
    pd.lock.lock();
    let cur = d.load(SeqCst);
    // Moved later, cleared, passed already, or the fd is closing: the
    // arming this firing belongs to is gone.
    if !pd.closing.load(SeqCst) && cur > 0 && cur <= now {
        d.store(EXPIRED, SeqCst);
        store_load_fence();
        take_waiter(word, false, &mut woken);
    }
    pd.lock.unlock();
    // SAFETY: timers run on g0 of an M holding a P; the G came out of its
    // word just now.
    unsafe { ready_all(woken, false) };
}

fn read_deadline_fired(t: *const RuntimeTimer, now: i64) {
    deadline_fired(t, now, Mode::Read);
}

fn write_deadline_fired(t: *const RuntimeTimer, now: i64) {
    deadline_fired(t, now, Mode::Write);
}
