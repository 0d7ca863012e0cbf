//! How a child ended: [`ExitStatus`] (std's `std::process::ExitStatus`,
//! Go's `os.ProcessState`) and [`Output`].
//!
//! An `ExitStatus` holds the raw wait status `wait4(2)` returns, decoded as
//! the kernel encodes it (`<bits/waitstatus.h>`): the low 7 bits are the
//! terminating signal (0 when the child exited), bit 7 says a core was
//! dumped, and for a normal exit bits 8..15 are the exit code.

use alloc::vec::Vec;
use core::fmt;

/// Bits of the wait status holding the terminating signal.
const WSIG_MASK: i32 = 0x7f;
/// The wait status bit set when the child dumped core.
const WCOREFLAG: i32 = 0x80;
/// Where the exit code sits in a normal exit's wait status.
const WEXIT_SHIFT: i32 = 8;
/// The exit code's bits.
const WEXIT_MASK: i32 = 0xff;
/// The low byte of a stopped child's status (`WIFSTOPPED`).
const WSTOPPED: i32 = 0x7f;

/// The result of a finished child: an exit code or the signal that killed
/// it (std's `ExitStatus`; Go's `os.ProcessState`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ExitStatus(i32);

impl ExitStatus {
    /// From a raw wait status.
    pub(crate) fn from_raw(status: i32) -> ExitStatus {
        ExitStatus(status)
    }

    /// The raw wait status (std's `ExitStatusExt::into_raw`).
    pub fn into_raw(self) -> i32 {
        self.0
    }

    /// The child exited with code 0 (std's `success`, Go's
    /// `ProcessState.Success`).
    pub fn success(&self) -> bool {
        self.code() == Some(0)
    }

    /// The exit code, when the child exited (not killed by a signal):
    /// 0..=255 (std's `code`, Go's `ExitCode`, which says -1 instead of
    /// `None`).
    pub fn code(&self) -> Option<i32> {
        if self.0 & WSIG_MASK == 0 {
            Some((self.0 >> WEXIT_SHIFT) & WEXIT_MASK)
        } else {
            None
        }
    }

    /// The signal that killed the child, if one did (std's
    /// `ExitStatusExt::signal`).
    pub fn signal(&self) -> Option<i32> {
        let sig = self.0 & WSIG_MASK;
        if sig != 0 && sig != WSTOPPED {
            Some(sig)
        } else {
            None
        }
    }

    /// The child was killed by a signal and dumped core (std's
    /// `ExitStatusExt::core_dumped`).
    pub fn core_dumped(&self) -> bool {
        self.signal().is_some() && self.0 & WCOREFLAG != 0
    }
}

/// The kernel's name of signal `sig` (`SIGKILL`), if it has one.
pub(crate) fn signal_name(sig: i32) -> Option<&'static str> {
    crate::os::signal::Signal::from_raw(sig).and_then(|s| s.name())
}

/// As std: `exit status: 1`, `signal: 9 (SIGKILL)`, with ` (core
/// dumped)` when it did.
impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(code) = self.code() {
            return write!(f, "exit status: {code}");
        }
        if let Some(sig) = self.signal() {
            write!(f, "signal: {sig}")?;
            if let Some(name) = signal_name(sig) {
                write!(f, " ({name})")?;
            }
            if self.core_dumped() {
                f.write_str(" (core dumped)")?;
            }
            return Ok(());
        }
        write!(f, "unrecognised wait status: {} {:#x}", self.0, self.0)
    }
}

/// What a finished child wrote, and how it ended (std's `Output`; Go's
/// `Cmd.Output`/`CombinedOutput` return the bytes).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Output {
    /// How the child ended.
    pub status: ExitStatus,
    /// Everything it wrote to its stdout (empty when not piped).
    pub stdout: Vec<u8>,
    /// Everything it wrote to its stderr (empty when not piped).
    pub stderr: Vec<u8>,
}
