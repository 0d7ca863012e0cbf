//! The runtime's half of `os/signal`: Go's `sigsend`, `signal_recv`,
//! `signal_enable`, `signal_disable`, `signal_ignore`, `signal_ignored`
//! (runtime/sigqueue.go) and `sigenable`, `sigdisable`, `sigignore`,
//! `sigInstallGoHandler` (runtime/signal_unix.go). The channels and the
//! receiver goroutine are `os::signal`'s (the API layer); this module
//! holds what the signal handlers read and what they post.
//!
//! State, one bit per signal (bit `sig - 1`, 64 signals in one word):
//! - `WANTED`: at least one channel is notified of the signal (Go's
//!   `sig.wanted`). The handler reads it.
//! - `IGNORED`: the program ignored it (`os::signal::ignore`), or it was
//!   inherited ignored where the runtime keeps that (SIGHUP and SIGINT
//!   under `nohup`: Go's `sigInitIgnored`). The handler reads it for
//!   signals sent by `kill`.
//! - `HANDLING`: the runtime's handler is installed now (Go's
//!   `handlingSig`).
//! - `RECORDED` and `ORIG_IGN`: the action the signal had before
//!   `os::signal` first changed it (Go's `fwdSig`, reduced to "ignored or
//!   not": `execve` resets every caught signal to `SIG_DFL`, so the
//!   inherited action is `SIG_DFL` or `SIG_IGN`).
//! - `PENDING` and `SEQ`: the queue between the handlers and the receiver,
//!   whose protocol is [`proto::sigqueue`](super::proto::sigqueue).
//!
//! Waking the receiver: Go's way, a futex (the sequence word) that the
//! receiver goroutine sleeps on inside the system-call bracket
//! (`entersyscallblock`/`exitsyscall`): its P goes to others, its M stays
//! in the kernel and counts as running, so a program whose goroutines all
//! wait for a signal is not reported as deadlocked (as in Go). Chosen
//! over an eventfd on the netpoller because the handler then needs
//! nothing from a higher layer (no descriptor handed down, no poller that
//! must exist first), a `FUTEX_WAKE` is as async-signal-safe as a
//! `write`, and the cost — one thread parked in the kernel once a program
//! has called `notify` — is Go's own.
//!
//! Invariants:
//! - [`sigsend`], [`signal_ignored`] and [`notify_class`] run in signal
//!   handlers: atomic loads and [`proto::sigqueue::post`] only (no lock, no
//!   allocation).
//! - [`enable`], [`restore`] and [`ignore`] are called one at a time (the
//!   caller, `os::signal`, holds its registry lock), so their
//!   read-modify-write of the bit sets and the `rt_sigaction` that follows
//!   are never interleaved with another change of the same signal.
//!   `WANTED` is set before the handler is installed and cleared before it
//!   is removed, so a signal arriving in between is delivered or gets the
//!   action being restored, never a handler that drops it.
//! - [`signal_recv`] has one caller (the receiver goroutine).
//! - A signal that arrives while its last channel is being stopped may be
//!   taken from the queue after the channel is gone: it is then dropped
//!   (it neither kills nor reaches a channel), as in Go.

use core::sync::atomic::Ordering::SeqCst;
use core::sync::atomic::{AtomicU32, AtomicU64};

use super::proto::sigqueue as protocol;
use super::sigtable::{Disposition, disposition};
use super::syscall::{entersyscallblock, exitsyscall};
use crate::debug::fatal::fatal_errno;
use crate::sys::Errno;
use crate::sys::futex::futex_wait;
use crate::sys::signal::{self as ksig, sigmask};

static WANTED: AtomicU64 = AtomicU64::new(0);
static IGNORED: AtomicU64 = AtomicU64::new(0);
static HANDLING: AtomicU64 = AtomicU64::new(0);
static RECORDED: AtomicU64 = AtomicU64::new(0);
static ORIG_IGN: AtomicU64 = AtomicU64::new(0);
static PENDING: AtomicU64 = AtomicU64::new(0);
static SEQ: AtomicU32 = AtomicU32::new(0);

/// Whether `sig` is a signal number the queue can hold (1..=64).
pub(crate) const fn valid(sig: i32) -> bool {
    sig >= 1 && sig <= ksig::SIGRTMAX
}

/// Go's `_SigNotify`: a signal the kernel sends for a reason other than
/// the instruction that just ran, which `notify` takes over whatever its
/// default. The rest (the faults and SIGILL, SIGTRAP, SIGSTKFLT, SIGSYS;
/// SIGKILL and SIGSTOP, which cannot be caught; 32..=34, which libc
/// keeps) reach a channel only when sent by `kill` to a handler the
/// runtime has anyway, and never otherwise.
pub(crate) const fn notify_class(sig: i32) -> bool {
    match sig {
        ksig::SIGILL
        | ksig::SIGTRAP
        | ksig::SIGBUS
        | ksig::SIGFPE
        | ksig::SIGKILL
        | ksig::SIGSEGV
        | ksig::SIGSTKFLT
        | ksig::SIGSTOP
        | ksig::SIGSYS => false,
        s if s >= ksig::SIGRTMIN_KERNEL && s < super::sigtable::LIBC_RESERVED_END => false,
        s => valid(s),
    }
}

/// Go's `sigInstallGoHandler`: whether the runtime's handler is the
/// start-up action of `sig` (what [`restore`] goes back to).
fn handled_at_start(sig: i32) -> bool {
    match disposition(sig) {
        Disposition::System => false,
        // SIGHUP and SIGINT inherited ignored stay so (`nohup`).
        _ if sig == ksig::SIGHUP || sig == ksig::SIGINT => {
            ORIG_IGN.load(SeqCst) & sigmask(sig) == 0
        }
        _ => true,
    }
}

/// Called by `sigtable::install` (and `sigpipe`) for each signal whose
/// handler it installed at start-up.
pub(crate) fn note_installed(sig: i32) {
    HANDLING.fetch_or(sigmask(sig), SeqCst);
}

/// Called by `sigtable::install` for SIGHUP or SIGINT found ignored at
/// start-up: the runtime keeps it so, and reports it ignored (Go's
/// `sigInitIgnored`).
pub(crate) fn note_inherited_ignored(sig: i32) {
    let bit = sigmask(sig);
    ORIG_IGN.fetch_or(bit, SeqCst);
    RECORDED.fetch_or(bit, SeqCst);
    IGNORED.fetch_or(bit, SeqCst);
}

/// The handlers' half of Go's `sigsend`: queue `sig` for the receiver if
/// a channel wants it. False when none does (the caller then applies the
/// signal's default). Async-signal-safe.
pub(crate) fn sigsend(sig: i32) -> bool {
    if !valid(sig) {
        return false;
    }
    let bit = sigmask(sig);
    if WANTED.load(SeqCst) & bit == 0 {
        return false;
    }
    protocol::post(&PENDING, &SEQ, bit);
    true
}

/// Go's `signal_ignored`: `os::signal::ignore` was called for `sig`, or
/// it was inherited ignored where the runtime keeps that. Async-signal-safe.
pub(crate) fn signal_ignored(sig: i32) -> bool {
    valid(sig) && IGNORED.load(SeqCst) & sigmask(sig) != 0
}

/// `os::signal::ignored`: [`signal_ignored`], or a signal the runtime has
/// never touched whose inherited action is `SIG_IGN` (Go records every
/// inherited `SIG_IGN` at start-up; rt0 asks the kernel when asked).
pub(crate) fn ignored(sig: i32) -> bool {
    if !valid(sig) {
        return false;
    }
    let bit = sigmask(sig);
    if IGNORED.load(SeqCst) & bit != 0 {
        return true;
    }
    if (RECORDED.load(SeqCst) | HANDLING.load(SeqCst)) & bit != 0 {
        return false;
    }
    ksig::getsig(sig) == Ok(ksig::SIG_IGN)
}

/// Go's `signal_recv`: blocks until signals are pending, then takes them
/// all (a mask, bit `sig - 1`). Sleeps inside the system-call bracket, so
/// the goroutine's P runs others meanwhile and its M counts as running.
pub(crate) fn signal_recv() -> u64 {
    protocol::take(&PENDING, &SEQ, |seq, seen| {
        entersyscallblock();
        // EINTR or EAGAIN (the word moved) return to take's loop.
        let _ = futex_wait(seq, seen, protocol::FOREVER);
        exitsyscall();
    })
}

/// The runtime's handler for `sig`, installed (fatal on an unexpected
/// refusal; false when the kernel refuses a real-time signal, as qemu-user
/// does for the ones it keeps).
fn install_runtime_handler(sig: i32) -> bool {
    let r = if sig == ksig::SIGPIPE {
        super::sigpipe::install()
    } else {
        super::sigtable::install_one(sig)
    };
    match r {
        Ok(()) => {
            HANDLING.fetch_or(sigmask(sig), SeqCst);
            true
        }
        Err(Errno::EINVAL) if sig >= ksig::SIGRTMIN_KERNEL => false,
        Err(e) => fatal_errno("runtime: rt_sigaction failed", e.0),
    }
}

/// Sets the kernel's action for `sig` to `SIG_IGN` or `SIG_DFL`.
fn set_plain_action(sig: i32, ignore: bool) {
    let r = if ignore {
        ksig::setsig_ignore(sig)
    } else {
        ksig::setsig_default(sig)
    };
    match r {
        Ok(()) => {
            HANDLING.fetch_and(!sigmask(sig), SeqCst);
        }
        Err(Errno::EINVAL) if sig >= ksig::SIGRTMIN_KERNEL => {}
        Err(e) => fatal_errno("runtime: rt_sigaction failed", e.0),
    }
}

/// Remembers whether `sig` was ignored before the first change
/// `os::signal` makes (Go's `fwdSig`).
fn record_original(sig: i32) {
    let bit = sigmask(sig);
    if RECORDED.load(SeqCst) & bit != 0 {
        return;
    }
    if HANDLING.load(SeqCst) & bit == 0 && ksig::getsig(sig) == Ok(ksig::SIG_IGN) {
        ORIG_IGN.fetch_or(bit, SeqCst);
    }
    RECORDED.fetch_or(bit, SeqCst);
}

/// Go's `signal_enable` and `sigenable`: a channel wants `sig` (the
/// first one). Clears an earlier ignore; installs the runtime's handler
/// if another action is in place.
pub(crate) fn enable(sig: i32) {
    if !valid(sig) {
        return;
    }
    let bit = sigmask(sig);
    record_original(sig);
    IGNORED.fetch_and(!bit, SeqCst);
    WANTED.fetch_or(bit, SeqCst);
    if notify_class(sig) && HANDLING.load(SeqCst) & bit == 0 {
        install_runtime_handler(sig);
    }
    // A mask inherited from the parent (it survives execve) may block the
    // signal on every thread: unblock it on this one (Ms never exit, and
    // the kernel gives a process-directed signal to any thread that does
    // not block it). Go's `ensureSigM` does this on a thread of its own.
    // Errors: none for a valid set; a failure would only leave the signal
    // pending in the kernel.
    let _ = ksig::unblock(bit);
}

/// Go's `signal_disable` and `sigdisable`, and what `Reset` means: no
/// channel wants `sig` any more, and it gets its start-up action back
/// (the runtime's handler, so SIGINT kills again; or the inherited
/// `SIG_DFL`/`SIG_IGN` for a signal the runtime does not handle by
/// default, and for SIGHUP/SIGINT inherited ignored). An ignore is undone.
pub(crate) fn restore(sig: i32) {
    if !valid(sig) {
        return;
    }
    let bit = sigmask(sig);
    WANTED.fetch_and(!bit, SeqCst);
    if RECORDED.load(SeqCst) & bit == 0 {
        return; // never changed: the start-up action is in place
    }
    let orig_ign = ORIG_IGN.load(SeqCst) & bit != 0;
    if orig_ign {
        IGNORED.fetch_or(bit, SeqCst);
    } else {
        IGNORED.fetch_and(!bit, SeqCst);
    }
    if !notify_class(sig) {
        return; // its action was never changed, only the bits
    }
    if handled_at_start(sig) {
        if HANDLING.load(SeqCst) & bit == 0 {
            install_runtime_handler(sig);
        }
    } else {
        set_plain_action(sig, orig_ign);
    }
}

/// Go's `signal_ignore` and `sigignore`: no channel wants `sig`, and the
/// kernel discards it (`SIG_IGN`, which also survives `execve`, as in Go).
/// For a signal outside the notify class only the bit changes: one sent
/// by `kill` is then dropped by the handler.
pub(crate) fn ignore(sig: i32) {
    if !valid(sig) {
        return;
    }
    let bit = sigmask(sig);
    record_original(sig);
    WANTED.fetch_and(!bit, SeqCst);
    IGNORED.fetch_or(bit, SeqCst);
    if notify_class(sig) {
        set_plain_action(sig, true);
    }
}
