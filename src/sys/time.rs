//! Clocks. `nanotime` reads `CLOCK_MONOTONIC` through the `clock_gettime`
//! syscall. Go's counterpart: `nanotime1` in `sys_linux_amd64.s`.

use super::syscall::{nr, syscall2};

const CLOCK_MONOTONIC: usize = 1;
const NANOS_PER_SEC: i64 = 1_000_000_000;

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

/// Monotonic time in nanoseconds since an arbitrary start.
pub fn nanotime() -> i64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: ts is a valid, writable timespec; CLOCK_MONOTONIC cannot fail.
    unsafe {
        syscall2(
            nr::SYS_clock_gettime,
            CLOCK_MONOTONIC,
            &mut ts as *mut Timespec as usize,
        )
    };
    ts.sec * NANOS_PER_SEC + ts.nsec
}
