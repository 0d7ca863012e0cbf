//! Clocks: `nanotime` reads `CLOCK_MONOTONIC` and `walltime`
//! `CLOCK_REALTIME` through the vDSO's `__vdso_clock_gettime` when the
//! kernel provides one, else through the `clock_gettime` syscall
//! (qemu-user gives no vDSO). Go's `nanotime1` and `walltime`
//! (sys_linux_amd64.s) make the same choice.

use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::syscall::{nr, syscall2};

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;
/// Nanoseconds in a second.
pub(crate) const NANOS_PER_SEC: i64 = 1_000_000_000;

/// The kernel's `struct timespec` (x86-64: two 64-bit words), for the
/// clocks here and the futex timeout.
#[repr(C)]
pub(crate) struct Timespec {
    pub(crate) sec: i64,
    pub(crate) nsec: i64,
}

impl Timespec {
    /// `ns` (non-negative) as seconds and nanoseconds.
    pub(crate) const fn from_nanos(ns: i64) -> Timespec {
        Timespec {
            sec: ns / NANOS_PER_SEC,
            nsec: ns % NANOS_PER_SEC,
        }
    }

    /// The time in nanoseconds.
    pub(crate) const fn as_nanos(&self) -> i64 {
        self.sec * NANOS_PER_SEC + self.nsec
    }
}

/// Address of `__vdso_clock_gettime`, or 0 (set once by `vdso_init`).
static VDSO_CLOCK_GETTIME: AtomicUsize = AtomicUsize::new(0);

/// Looks up the vDSO clock (Go's `vdsoauxv`). Called by `args`.
pub fn vdso_init(sysinfo_ehdr: usize) {
    // SAFETY: sysinfo_ehdr is the kernel's AT_SYSINFO_EHDR (or 0).
    let f = unsafe { super::vdso::lookup(sysinfo_ehdr, b"__vdso_clock_gettime", b"LINUX_2.6") };
    VDSO_CLOCK_GETTIME.store(f.unwrap_or(0), Relaxed);
}

/// Is the vDSO clock in use?
pub fn have_vdso_clock() -> bool {
    VDSO_CLOCK_GETTIME.load(Relaxed) != 0
}

/// `clock` through the syscall, whatever the vDSO offers.
fn clock_syscall(clock: i32) -> Timespec {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: ts is a valid, writable timespec; the two clocks read here
    // cannot fail.
    unsafe {
        syscall2(
            nr::SYS_clock_gettime,
            clock as usize,
            &mut ts as *mut Timespec as usize,
        )
    };
    ts
}

/// `clock` through the vDSO if there is one, else the syscall.
#[inline]
fn clock_gettime(clock: i32) -> Timespec {
    let f = VDSO_CLOCK_GETTIME.load(Relaxed);
    if f == 0 {
        return clock_syscall(clock);
    }
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: f is the vDSO's clock_gettime, found by symbol and version; it
    // writes one timespec and needs well under a page of stack.
    unsafe {
        let f: super::vdso::ClockGettime = core::mem::transmute(f);
        f(clock, &mut ts as *mut Timespec as *mut core::ffi::c_void);
    }
    ts
}

/// CLOCK_MONOTONIC through the syscall, whatever the vDSO offers.
pub fn nanotime_syscall() -> i64 {
    clock_syscall(CLOCK_MONOTONIC).as_nanos()
}

/// Monotonic time in nanoseconds since an arbitrary start.
#[inline]
pub fn nanotime() -> i64 {
    clock_gettime(CLOCK_MONOTONIC).as_nanos()
}

/// The wall clock (Go's `walltime`): seconds and nanoseconds since the
/// Unix epoch.
pub fn walltime() -> (i64, u32) {
    let ts = clock_gettime(CLOCK_REALTIME);
    (ts.sec, ts.nsec as u32)
}
