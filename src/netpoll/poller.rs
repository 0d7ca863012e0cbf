//! The epoll instance: Go's `netpoll_epoll.go` (`netpollinit`,
//! `netpollopen`, `netpollclose`, `netpollBreak`, `netpoll`), and the
//! netpoller's place among the scheduler's wake-up sources.
//!
//! Created at first use ([`get`], from the first [`super::Fd`]): a program
//! that never touches the network opens nothing and registers nothing.
//! Then: one epoll fd, one eventfd registered level-triggered for
//! breaking a blocked `epoll_wait` (Go's `netpollBreak`), both close-on-exec
//! and above fd 2, and a [`WakeSource`] with the one [`BlockingPoll`]:
//! - `deadline`: [`NO_DEADLINE`] while goroutines wait on descriptors (Go's
//!   `netpollWaiters`), else none. So `checkdead` sees a program whose
//!   goroutines all wait on sockets as alive, and an idle M blocks in
//!   `epoll_wait` without a timeout once no timer is pending;
//! - `poll`: `epoll_wait(0)` on an M holding a P, readying what it finds
//!   onto that P (Go's `netpoll(0)` in `findRunnable`);
//! - `block(until)`: `epoll_wait` until `until` (the earliest timer) on the
//!   M that gave up its P; the goroutines it finds go back to the core,
//!   which runs them on the P it takes next (Go's `netpoll(delay)`), and
//!   `wake` writes the eventfd. `until` at or before now does not block
//!   (sysmon's poll).
//!
//! Descriptors are registered once, edge-triggered, for both directions
//! (`EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET`), with their
//! [`PollDesc::tag`] as the event data.

use core::sync::atomic::{
    AtomicI32, AtomicU32,
    Ordering::{Relaxed, SeqCst},
};

use super::pd::{PollDesc, ready_all};
use super::waiters;
use crate::debug::fatal::throw;
use crate::sched::runq::GQueue;
use crate::sched::wakeup::{self, BlockingPoll, NO_DEADLINE, WakeSource};
use crate::sys::epoll::{self, EpollEvent, Events};
use crate::sys::runtimefd::above_stdio;
use crate::sys::{Errno, file};

/// Events fetched per `epoll_wait` (Go: 128). On g0's stack: 1.5 KiB.
const EVENTS_PER_POLL: usize = 128;

/// The event data of the break eventfd (no descriptor is at address 0).
const BREAK_DATA: u64 = 0;

/// What every descriptor is registered for.
const REGISTERED: Events = Events::IN
    .union(Events::OUT)
    .union(Events::RDHUP)
    .union(Events::ET);

/// The epoll instance and its break eventfd.
pub(crate) struct Poller {
    epfd: i32,
    breakfd: i32,
    /// A break is written and not yet drained (Go's `netpollWakeSig`):
    /// later breaks have nothing to add.
    wake_sig: AtomicU32,
}

static POLLER: spin::Once<Poller> = spin::Once::new();

/// The epoll fd for reports and tests (-1 before first use).
static EPFD: AtomicI32 = AtomicI32::new(-1);

static BLOCKING: BlockingPoll = BlockingPoll {
    block: block_source,
    wake: wake_source,
};

static SOURCE: WakeSource = WakeSource::new(deadline_source, poll_source, Some(&BLOCKING));

/// The poller, created at the first call (Go's `netpollGenericInit`).
/// Failing to create it is fatal, as in Go: a process out of descriptors
/// at that moment cannot use the network at all.
pub(crate) fn get() -> &'static Poller {
    POLLER.call_once(|| {
        let p = match open() {
            Ok(p) => p,
            Err(_) => throw("runtime: netpollinit failed"),
        };
        EPFD.store(p.epfd, Relaxed);
        p
    });
    let p = POLLER.get().expect("initialised above");
    // Registered after the Once, outside it: registering may wake a
    // blocked M, which must find the poller ready.
    static REGISTERED_SOURCE: spin::Once<()> = spin::Once::new();
    REGISTERED_SOURCE.call_once(|| {
        wakeup::register(&SOURCE);
        crate::sched::sysmon::start_for_netpoll();
    });
    p
}

/// The poller if it exists.
fn existing() -> Option<&'static Poller> {
    POLLER.get()
}

fn open() -> Result<Poller, Errno> {
    let epfd = above_stdio(epoll::epoll_create()?)?;
    let breakfd = match epoll::eventfd().and_then(above_stdio) {
        Ok(fd) => fd,
        Err(e) => {
            file::close(epfd);
            return Err(e);
        }
    };
    if let Err(e) = epoll::epoll_add(epfd, breakfd, Events::IN, BREAK_DATA) {
        file::close(breakfd);
        file::close(epfd);
        return Err(e);
    }
    Ok(Poller {
        epfd,
        breakfd,
        wake_sig: AtomicU32::new(0),
    })
}

impl Poller {
    /// Registers `fd` for `pd` (Go's `netpollopen`).
    pub(crate) fn add(&self, fd: i32, pd: &PollDesc) -> Result<(), Errno> {
        epoll::epoll_add(self.epfd, fd, REGISTERED, pd.tag())
    }

    /// Takes `fd` out of the set (Go's `netpollclose`), before it is closed:
    /// the kernel drops a closed fd by itself only when no duplicate of it
    /// is left open.
    pub(crate) fn remove(&self, fd: i32) {
        // ENOENT/EBADF: not there any more; nothing else can fail here.
        let _ = epoll::epoll_del(self.epfd, fd);
    }

    /// Makes a blocked (or the next) `epoll_wait` return (Go's
    /// `netpollBreak`).
    fn wake(&self) {
        if self
            .wake_sig
            .compare_exchange(0, 1, SeqCst, Relaxed)
            .is_err()
        {
            return;
        }
        match epoll::eventfd_signal(self.breakfd) {
            // EAGAIN: the counter is full, so it is readable already.
            Ok(()) | Err(Errno::EAGAIN) => {}
            Err(_) => throw("runtime: netpollBreak write failed"),
        }
    }

    /// Waits up to `timeout_ns` (< 0: forever, 0: not at all) and returns
    /// the goroutines whose descriptors became ready (Go's `netpoll`).
    fn netpoll(&self, timeout_ns: i64) -> GQueue {
        let mut evs = [EpollEvent::zeroed(); EVENTS_PER_POLL];
        let mut woken = GQueue::new();
        let n = match epoll::epoll_wait(self.epfd, &mut evs, timeout_ns) {
            Ok(n) => n,
            // A signal: return, the caller looks for work and comes back.
            Err(Errno::EINTR) => return woken,
            Err(_) => throw("runtime: netpoll failed"),
        };
        for ev in &evs[..n] {
            let (bits, data) = (ev.events, ev.data);
            if data == BREAK_DATA {
                // Only a blocking poll consumes a break: a non-blocking one
                // leaves it for the poll it was meant to end.
                if timeout_ns != 0 {
                    let _ = epoll::eventfd_drain(self.breakfd);
                    self.wake_sig.store(0, SeqCst);
                }
                continue;
            }
            let ev = Events::from_bits_retain(bits);
            let read = ev.intersects(Events::IN | Events::RDHUP | Events::HUP | Events::ERR);
            let write = ev.intersects(Events::OUT | Events::HUP | Events::ERR);
            let hup = ev.intersects(Events::RDHUP | Events::HUP | Events::ERR);
            // SAFETY: every registration's data is a PollDesc tag.
            if let Some(pd) = unsafe { PollDesc::from_event(data) } {
                pd.io_ready(read, write, hup, &mut woken);
            }
        }
        woken
    }
}

/// The netpoller's deadline as a wake-up source.
fn deadline_source() -> i64 {
    if waiters().load(SeqCst) > 0 {
        NO_DEADLINE
    } else {
        0
    }
}

/// The non-blocking poll, on g0 of an M holding a P.
fn poll_source(_now: i64) -> usize {
    let Some(p) = existing() else { return 0 };
    let q = p.netpoll(0);
    // SAFETY: on g0 of an M holding a P (WakeSource::poll's contract); the
    // Gs were taken out of their words by netpoll.
    unsafe { ready_all(q, false) }
}

/// The blocking poll, on an M without a P.
fn block_source(until: i64) -> GQueue {
    let Some(p) = existing() else {
        return GQueue::new();
    };
    let timeout = if until == NO_DEADLINE {
        -1
    } else {
        (until - crate::sys::time::nanotime()).max(0)
    };
    p.netpoll(timeout)
}

fn wake_source() {
    if let Some(p) = existing() {
        p.wake();
    }
}
