//! `futex(2)`: the one kernel primitive every sleeping lock and note is
//! built on. Go's `futexsleep`/`futexwakeup` (os_linux.go).

use core::sync::atomic::AtomicU32;

use super::syscall::{Errno, check, nr, syscall6};
use super::time::Timespec;

const FUTEX_WAIT: usize = 0;
const FUTEX_WAKE: usize = 1;
/// The futex word is not shared with other processes: cheaper kernel lookup.
const FUTEX_PRIVATE_FLAG: usize = 128;

/// Sleeps while `*addr == val`, at most `ns` nanoseconds (negative: no limit).
/// Spurious wake-ups are allowed; callers re-check their condition.
pub fn futex_wait(addr: &AtomicU32, val: u32, ns: i64) -> Result<(), Errno> {
    let ts = Timespec::from_nanos(ns);
    let tsp = if ns < 0 {
        0
    } else {
        &ts as *const Timespec as usize
    };
    // SAFETY: addr is a live, aligned u32; ts outlives the call.
    check(unsafe {
        syscall6(
            nr::SYS_futex,
            addr.as_ptr() as usize,
            FUTEX_WAIT | FUTEX_PRIVATE_FLAG,
            val as usize,
            tsp,
            0,
            0,
        )
    })
    .map(|_| ())
}

/// Wakes up to `n` threads sleeping on `addr`; returns how many woke.
pub fn futex_wake(addr: &AtomicU32, n: u32) -> usize {
    // SAFETY: addr is a live, aligned u32.
    let r = unsafe {
        syscall6(
            nr::SYS_futex,
            addr.as_ptr() as usize,
            FUTEX_WAKE | FUTEX_PRIVATE_FLAG,
            n as usize,
            0,
            0,
            0,
        )
    };
    // FUTEX_WAKE on a valid private address cannot fail.
    check(r).unwrap_or(0)
}
