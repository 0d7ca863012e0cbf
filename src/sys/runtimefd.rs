//! The runtime's own file descriptors (the pidfd for `process_madvise`
//! now; the netpoller's epoll and eventfd later): opened once,
//! close-on-exec, and never at 0, 1 or 2.
//!
//! A program may start with stdin, stdout or stderr closed. The kernel
//! hands out the lowest free number, so a descriptor the runtime opens
//! would then become fd 1, and `println!` would write into it. (Go 1.22's
//! `runtime.checkfds` answers the same danger differently: it opens
//! /dev/null on each closed standard fd at start-up, so that the program
//! itself never sees them free; Go 1.19 does neither.) Here every runtime
//! descriptor goes through [`above_stdio`], which moves it with
//! `fcntl(F_DUPFD_CLOEXEC, 3)` and closes the low one, and is cached in a
//! [`OnceFd`], whose compare-exchange makes the open-once race-free: when
//! two threads open at the same time, one stores its descriptor and the
//! other closes its own and uses the stored one (Go opens its netpoller
//! once under `netpollInitLock`; a CAS needs no lock).
//!
//! Invariants: a descriptor returned by [`OnceFd::get_or_open`] is > 2,
//! close-on-exec (the opener must pass its kernel's CLOEXEC flag; the
//! move keeps it), and the same for every caller for the life of the
//! process. A failed open is remembered too: every later caller gets the
//! same error without retrying (the runtime's uses all have a fallback).

use core::sync::atomic::AtomicI32;
use core::sync::atomic::Ordering::{AcqRel, Acquire};

use super::fcntl::F_DUPFD_CLOEXEC;
use super::file::{STDERR, close};
use super::syscall::{Errno, check, nr, syscall3};

/// The lowest fd a runtime descriptor may have: the first above stderr.
const FIRST_RUNTIME_FD: usize = STDERR as usize + 1;

/// Moves `fd` above the standard descriptors when it landed on 0, 1 or 2
/// (`fcntl(fd, F_DUPFD_CLOEXEC, 3)`, then `close(fd)`); returns the fd to
/// use. The copy is close-on-exec whatever `fd` was. On failure `fd` is
/// closed and the error returned.
pub fn above_stdio(fd: i32) -> Result<i32, Errno> {
    if fd > STDERR {
        return Ok(fd);
    }
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) takes no pointers.
    let r = check(unsafe {
        syscall3(
            nr::SYS_fcntl,
            fd as usize,
            F_DUPFD_CLOEXEC,
            FIRST_RUNTIME_FD,
        )
    });
    close(fd);
    r.map(|moved| moved as i32)
}

/// Not opened yet. A failed open with errno E is stored as `UNSET - E`.
const UNSET: i32 = -1;

/// A runtime descriptor opened at most once, by whichever thread asks
/// first; see the module note.
pub struct OnceFd {
    /// [`UNSET`]; `UNSET - errno` when the open failed; else the fd.
    state: AtomicI32,
}

impl OnceFd {
    pub const fn new() -> OnceFd {
        OnceFd {
            state: AtomicI32::new(UNSET),
        }
    }

    /// Decodes a stored state other than [`UNSET`].
    fn decode(v: i32) -> Result<i32, Errno> {
        if v >= 0 { Ok(v) } else { Err(Errno(UNSET - v)) }
    }

    /// The descriptor, opened with `open` by the first caller. `open` must
    /// return a close-on-exec descriptor; it may run on several threads at
    /// once, and all but one result are closed.
    pub fn get_or_open(&self, open: impl FnOnce() -> Result<i32, Errno>) -> Result<i32, Errno> {
        let v = self.state.load(Acquire);
        if v != UNSET {
            return Self::decode(v);
        }
        let mine = open().and_then(above_stdio);
        let encoded = match mine {
            Ok(fd) => fd,
            Err(e) => UNSET - e.0,
        };
        match self.state.compare_exchange(UNSET, encoded, AcqRel, Acquire) {
            Ok(_) => mine,
            Err(winner) => {
                if let Ok(fd) = mine {
                    close(fd);
                }
                Self::decode(winner)
            }
        }
    }
}
