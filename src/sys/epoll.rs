//! epoll and eventfd: the kernel half of the netpoller (`epoll(7)`,
//! `eventfd(2)`). Go's counterparts are the `epollcreate1`, `epollctl`,
//! `epollwait` stubs of `runtime/sys_linux_amd64.s` and the eventfd of
//! `netpoll_epoll.go`'s `netpollinit`.
//!
//! Thin and allocation-free, as the rest of `sys`: the policy (which fd,
//! which events, what a wake-up means) is `netpoll`'s.

use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use bitflags::bitflags;

use super::syscall::{Errno, check, nr, syscall1, syscall2, syscall4, syscall6};

/// `EPOLL_CLOEXEC` (= `O_CLOEXEC`): the epoll fd is closed on exec.
const EPOLL_CLOEXEC: usize = 0o2_000_000;
/// `EFD_CLOEXEC` (= `O_CLOEXEC`).
const EFD_CLOEXEC: usize = 0o2_000_000;
/// `EFD_NONBLOCK` (= `O_NONBLOCK`): a read of a zero counter is `EAGAIN`.
const EFD_NONBLOCK: usize = 0o4_000;

/// `EPOLL_CTL_*` operations.
const EPOLL_CTL_ADD: usize = 1;
const EPOLL_CTL_DEL: usize = 2;

bitflags! {
    /// `EPOLL*` event bits (`<sys/epoll.h>`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Events: u32 {
        /// Readable (or a listener has a connection to accept).
        const IN = 0x001;
        /// Writable (or a non-blocking connect finished).
        const OUT = 0x004;
        /// An error is pending on the fd (always reported).
        const ERR = 0x008;
        /// Hang-up: both directions are shut (always reported).
        const HUP = 0x010;
        /// The peer shut its write side (EOF ahead).
        const RDHUP = 0x2000;
        /// Edge-triggered: report a change once, not a state over and over.
        const ET = 1 << 31;
    }
}

/// One `struct epoll_event`. On x86_64 the kernel's struct is packed
/// (`__EPOLL_PACKED`): 12 bytes, the 64-bit `data` at offset 4.
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct EpollEvent {
    /// The `EPOLL*` bits (a raw u32: the kernel may report bits the
    /// [`Events`] set does not name).
    pub events: u32,
    /// What the fd was registered with, handed back untouched.
    pub data: u64,
}

impl EpollEvent {
    pub const fn zeroed() -> EpollEvent {
        EpollEvent { events: 0, data: 0 }
    }
}

/// `struct timespec` for `epoll_pwait2`.
#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

const NANOS_PER_SEC: i64 = 1_000_000_000;
const NANOS_PER_MILLI: i64 = 1_000_000;

/// `epoll_create1(EPOLL_CLOEXEC)`.
pub fn epoll_create() -> Result<i32, Errno> {
    // SAFETY: epoll_create1 takes no pointers.
    check(unsafe { syscall1(nr::SYS_epoll_create1, EPOLL_CLOEXEC) }).map(|fd| fd as i32)
}

/// `epoll_ctl(epfd, EPOLL_CTL_ADD, fd, {events, data})`.
pub fn epoll_add(epfd: i32, fd: i32, events: Events, data: u64) -> Result<(), Errno> {
    let ev = EpollEvent {
        events: events.bits(),
        data,
    };
    // SAFETY: `ev` is a valid epoll_event the kernel only reads, alive for
    // the call.
    check(unsafe {
        syscall4(
            nr::SYS_epoll_ctl,
            epfd as usize,
            EPOLL_CTL_ADD,
            fd as usize,
            &ev as *const EpollEvent as usize,
        )
    })
    .map(drop)
}

/// `epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL)` (a null event is fine
/// since Linux 2.6.9).
pub fn epoll_del(epfd: i32, fd: i32) -> Result<(), Errno> {
    // SAFETY: EPOLL_CTL_DEL reads no event.
    check(unsafe {
        syscall4(
            nr::SYS_epoll_ctl,
            epfd as usize,
            EPOLL_CTL_DEL,
            fd as usize,
            0,
        )
    })
    .map(drop)
}

/// `epoll_pwait2` answered `ENOSYS` once (Linux < 5.11, or an emulator
/// without it): use `epoll_wait` and its millisecond timeout from then on.
static NO_PWAIT2: AtomicBool = AtomicBool::new(false);

/// Waits for events on `epfd` for at most `timeout_ns` nanoseconds (< 0:
/// no timeout; 0: do not block) and fills `events`; returns how many.
/// `EINTR` comes back as an error, for the caller to treat as "nothing".
///
/// Uses `epoll_pwait2`, whose timeout is a timespec, so a timer due in
/// 50 µs is not rounded to a millisecond; where the kernel lacks it, falls
/// back to `epoll_wait` with the timeout rounded *up* to whole
/// milliseconds (never early).
pub fn epoll_wait(epfd: i32, events: &mut [EpollEvent], timeout_ns: i64) -> Result<usize, Errno> {
    let max = events.len().min(i32::MAX as usize);
    let buf = events.as_mut_ptr() as usize;
    if !NO_PWAIT2.load(Relaxed) {
        let ts = Timespec {
            tv_sec: timeout_ns / NANOS_PER_SEC,
            tv_nsec: timeout_ns % NANOS_PER_SEC,
        };
        let tsp = if timeout_ns < 0 {
            0
        } else {
            &ts as *const Timespec as usize
        };
        // SAFETY: `buf` has room for `max` events, `tsp` is null or a valid
        // timespec alive for the call; no signal mask (null, size 0).
        let r =
            check(unsafe { syscall6(nr::SYS_epoll_pwait2, epfd as usize, buf, max, tsp, 0, 0) });
        match r {
            Err(Errno::ENOSYS) => NO_PWAIT2.store(true, Relaxed),
            r => return r,
        }
    }
    let ms = if timeout_ns < 0 {
        -1
    } else {
        // Round up: a timeout of 1 ns must not become "do not block" and
        // return before the deadline.
        ((timeout_ns + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI).min(i64::from(i32::MAX))
    };
    // SAFETY: `buf` has room for `max` events.
    check(unsafe { syscall4(nr::SYS_epoll_wait, epfd as usize, buf, max, ms as usize) })
}

/// `eventfd2(0, EFD_CLOEXEC | EFD_NONBLOCK)`.
pub fn eventfd() -> Result<i32, Errno> {
    // SAFETY: eventfd2 takes no pointers.
    check(unsafe { syscall2(nr::SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK) }).map(|fd| fd as i32)
}

/// Adds 1 to an eventfd's counter (makes it readable). `EAGAIN` (the
/// counter at its maximum) means it is readable already.
pub fn eventfd_signal(fd: i32) -> Result<(), Errno> {
    let one: u64 = 1;
    super::file::write(fd, &one.to_ne_bytes()).map(drop)
}

/// Reads and so resets an eventfd's counter; `EAGAIN` if it was 0.
pub fn eventfd_drain(fd: i32) -> Result<u64, Errno> {
    let mut v = [0u8; 8];
    super::file::read(fd, &mut v).map(|_| u64::from_ne_bytes(v))
}
