//! Go's default signal dispositions: the table of `sigtable`
//! (sigtab_linux_generic.go), the installation rule of `initsig` and
//! `sigInstallGoHandler`, and the parts of `sighandler`, `dieFromSignal`
//! and `dumpregs` (signal_unix.go, signal_amd64.go) that a program without
//! `os/signal` reaches. SIGSEGV and SIGBUS are handled in `signal.rs`,
//! SIGPIPE by the output code; this module leaves those three alone.
//!
//! | class | signals | what happens |
//! |---|---|---|
//! | [`Disposition::Kill`] | HUP, INT, TERM | the process dies by the signal (the parent sees `WIFSIGNALED`), printing nothing |
//! | [`Disposition::Throw`] | QUIT, ILL, TRAP, ABRT, STKFLT, SYS | Go's dump (below), exit status 2 |
//! | [`Disposition::Panic`] | FPE | a real divide error is Go's `panic: runtime error: integer divide by zero`; one sent with `kill` is dumped as a Throw |
//! | [`Disposition::Ignore`] | USR1, USR2, ALRM, CHLD, URG, XCPU, XFSZ, VTALRM, PROF, WINCH, IO, PWR, 35..=64 | caught and ignored |
//! | [`Disposition::System`] | KILL, STOP, CONT, TSTP, TTIN, TTOU, 32..=34 | never touched: the inherited action stays |
//!
//! The dump is Go's layout without the stack frames (those come with the
//! tracebacks): the signal's name line (`SIGQUIT: quit`), `PC=0x.. m=N
//! sigcode=N`, for SIGILL and SIGFPE `instruction bytes: 0x..` (at most 16,
//! never past the end of the PC's page), a blank line, the header of the
//! interrupted goroutine (`goroutine 0 [idle]:` when the signal lands on an
//! M's g0), of the M's current goroutine if that is another, then of every
//! other live goroutine in creation order, each after a blank line; then a
//! blank line and the registers as Go's `dumpregs` prints them.
//!
//! Invariants:
//! - Every handler runs on the M's signal stack (`SA_ONSTACK`; `minit` set
//!   it up) with `SA_RESTART`, and blocks every asynchronous signal while
//!   it runs ([`HANDLER_MASK`]), so a SIGTERM cannot cut a dump short.
//!   Synchronous faults stay unblocked: the kernel would otherwise kill the
//!   process silently on a fault inside the handler.
//! - Handlers allocate nothing and take no lock another thread may hold
//!   for long: the goroutine list (`ALLGS`, a spin lock held only for a
//!   push or a short walk) is tried for at most
//!   `traceback::ALLGS_WAIT_NS`; if the interrupted thread itself holds
//!   it, the dump shows only the interrupted and current goroutines.
//! - SIGHUP and SIGINT inherited as ignored (`nohup`, a shell's background
//!   job) stay ignored, as Go keeps them; every other signal of the table
//!   gets the handler whatever was inherited.
//! - `rt_sigaction` answering `EINVAL` for a real-time signal is skipped:
//!   qemu-user keeps some host real-time signals for itself and refuses
//!   them to the guest (Go's `sigaction` tolerates the same failures for
//!   32, 33 and 64). Any other failure is fatal at start-up.
//!
//! SIGURG is also the preemption signal: its handler first asks
//! `sched::preempt::on_sigurg` whether sysmon sent it (and preempts the
//! goroutine if it can); sysmon's go no further, any other SIGURG is
//! treated as the other signals of its class (unlike Go, whose
//! `Notify(SIGURG)` also sees the runtime's).
//!
//! EINTR (audited with these handlers in place, SIGURG included: sysmon
//! sends it to any M whose goroutine has run 10 ms, which may be inside a
//! system call the program makes itself): a timed `FUTEX_WAIT`
//! answers EINTR even with `SA_RESTART`, and qemu-user also interrupts
//! syscalls for signals the guest ignores. Every futex caller (the
//! runtime lock, `Note::sleep`/`sleep_timeout`, the timer sleeper)
//! re-checks its condition in a loop, so EINTR is a spurious wake-up;
//! `write_all` and `read_small_file` retry it; `clone` is restarted by the
//! kernel (`ERESTARTNOINTR`); mmap, munmap, mprotect, madvise (except
//! `MADV_POPULATE_*` with a fatal signal pending), sigaltstack,
//! rt_sigaction, sched_getaffinity and arch_prctl never return it; the
//! start-up `openat`s run before any handler exists. `sys::file::read`,
//! the program's own raw read, returns EINTR to its caller (natively a
//! pipe read is restarted by `SA_RESTART`; under qemu an ignored signal
//! can still interrupt it).

use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::sched::getg;
use super::sigqueue;
use crate::debug::dying::{Dying, start_dying};
use crate::debug::fatal::{EXIT_FATAL, fatal_errno};
use crate::debug::frames::Origin;
use crate::debug::traceback::{self, Kind};
use crate::mem::PAGE_SIZE;
use crate::sys::Errno;
use crate::sys::process::{exit_group, sched_yield};
use crate::sys::signal::{self as ksig, SigInfo};

/// What the runtime does with a signal when the program has not asked for
/// it (Go's `_Sig*` flags, reduced to the cases without `os/signal`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Disposition {
    /// Not touched: the inherited action stays (Go: flags 0, `_SigDefault`,
    /// or `_SigSetStack` for the three signals libc reserves).
    System,
    /// Handled by another part of the runtime (SIGSEGV, SIGBUS, SIGPIPE).
    Elsewhere,
    /// Die by the signal itself (Go's `_SigKill`).
    Kill,
    /// Dump and exit 2 (Go's `_SigThrow`).
    Throw,
    /// A fault becomes a runtime error; sent by `kill` it is a Throw (Go's
    /// `_SigPanic` for SIGFPE).
    Panic,
    /// Caught and ignored (Go's `_SigNotify` with no `Notify` call).
    Ignore,
}

/// Go's `sigtable` flags for `sig`, as a [`Disposition`].
pub(crate) const fn disposition(sig: i32) -> Disposition {
    use Disposition::*;
    match sig {
        ksig::SIGHUP | ksig::SIGINT | ksig::SIGTERM => Kill,
        ksig::SIGQUIT
        | ksig::SIGILL
        | ksig::SIGTRAP
        | ksig::SIGABRT
        | ksig::SIGSTKFLT
        | ksig::SIGSYS => Throw,
        ksig::SIGFPE => Panic,
        ksig::SIGSEGV | ksig::SIGBUS | ksig::SIGPIPE => Elsewhere,
        ksig::SIGKILL
        | ksig::SIGSTOP
        | ksig::SIGCONT
        | ksig::SIGTSTP
        | ksig::SIGTTIN
        | ksig::SIGTTOU => System,
        // SIGCANCEL, SIGSETXID and musl's SIGSYNCCALL: Go leaves them alone.
        s if s >= ksig::SIGRTMIN_KERNEL && s < LIBC_RESERVED_END => System,
        s if s >= 1 && s <= ksig::SIGRTMAX => Ignore,
        _ => System,
    }
}

/// First signal after the real-time signals libc implementations keep.
pub(crate) const LIBC_RESERVED_END: i32 = ksig::SIGRTMIN_KERNEL + 3;

/// Go's name for `sig` (the second column of `sigtable`); real-time
/// signals are `signal N`, printed by the caller.
fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        ksig::SIGHUP => "SIGHUP: terminal line hangup",
        ksig::SIGINT => "SIGINT: interrupt",
        ksig::SIGQUIT => "SIGQUIT: quit",
        ksig::SIGILL => "SIGILL: illegal instruction",
        ksig::SIGTRAP => "SIGTRAP: trace trap",
        ksig::SIGABRT => "SIGABRT: abort",
        ksig::SIGBUS => "SIGBUS: bus error",
        ksig::SIGFPE => "SIGFPE: floating-point exception",
        ksig::SIGKILL => "SIGKILL: kill",
        ksig::SIGUSR1 => "SIGUSR1: user-defined signal 1",
        ksig::SIGSEGV => "SIGSEGV: segmentation violation",
        ksig::SIGUSR2 => "SIGUSR2: user-defined signal 2",
        ksig::SIGPIPE => "SIGPIPE: write to broken pipe",
        ksig::SIGALRM => "SIGALRM: alarm clock",
        ksig::SIGTERM => "SIGTERM: termination",
        ksig::SIGSTKFLT => "SIGSTKFLT: stack fault",
        ksig::SIGCHLD => "SIGCHLD: child status has changed",
        ksig::SIGCONT => "SIGCONT: continue",
        ksig::SIGSTOP => "SIGSTOP: stop, unblockable",
        ksig::SIGTSTP => "SIGTSTP: keyboard stop",
        ksig::SIGTTIN => "SIGTTIN: background read from tty",
        ksig::SIGTTOU => "SIGTTOU: background write to tty",
        ksig::SIGURG => "SIGURG: urgent condition on socket",
        ksig::SIGXCPU => "SIGXCPU: cpu limit exceeded",
        ksig::SIGXFSZ => "SIGXFSZ: file size limit exceeded",
        ksig::SIGVTALRM => "SIGVTALRM: virtual alarm clock",
        ksig::SIGPROF => "SIGPROF: profiling alarm clock",
        ksig::SIGWINCH => "SIGWINCH: window size change",
        ksig::SIGIO => "SIGIO: i/o now possible",
        ksig::SIGPWR => "SIGPWR: power failure restart",
        ksig::SIGSYS => "SIGSYS: bad system call",
        _ => return None,
    })
}

/// Signals raised by the instruction that just ran: left unblocked while a
/// handler runs, since the kernel kills a thread that faults with its
/// fault signal blocked.
const SYNCHRONOUS: u64 = ksig::sigmask(ksig::SIGSEGV)
    | ksig::sigmask(ksig::SIGBUS)
    | ksig::sigmask(ksig::SIGFPE)
    | ksig::sigmask(ksig::SIGILL)
    | ksig::sigmask(ksig::SIGTRAP)
    | ksig::sigmask(ksig::SIGSYS);

/// Blocked while a handler of this module runs: everything asynchronous
/// (Go blocks all signals in its handler: `sigfillset`).
pub(crate) const HANDLER_MASK: u64 = !SYNCHRONOUS;

/// Signals an M must never have blocked (Go's `blockableSig` false): the
/// Kill and Throw classes, and those Go flags `_SigUnblock` (the faults,
/// SIGCHLD, SIGPROF, and 32..=34). A mask inherited from the parent (it
/// survives `execve`) must not keep SIGTERM from ending the program.
pub(crate) const fn unblocked_set() -> u64 {
    let mut set = 0;
    let mut sig = 1;
    while sig <= ksig::SIGRTMAX {
        let unblock = match disposition(sig) {
            Disposition::Kill | Disposition::Throw | Disposition::Panic => true,
            _ => {
                matches!(
                    sig,
                    ksig::SIGSEGV | ksig::SIGBUS | ksig::SIGCHLD | ksig::SIGPROF
                ) || (sig >= ksig::SIGRTMIN_KERNEL && sig < LIBC_RESERVED_END)
            }
        };
        if unblock {
            set |= ksig::sigmask(sig);
        }
        sig += 1;
    }
    set
}

/// Unblocks [`unblocked_set`] on the calling thread (Go's
/// `minitSignalMask`). Called by `minit` on every M.
pub(crate) fn minit_signal_mask() {
    // A new M was cloned with everything blocked: take the creator's mask.
    let creator = CREATOR_MASK.load(Relaxed);
    if creator != NO_CREATOR_MASK
        && let Err(e) = ksig::set_mask(creator)
    {
        fatal_errno("runtime: rt_sigprocmask failed", e.0);
    }
    match ksig::unblock(unblocked_set()) {
        // On m0 (no creator) the mask before this is the one the process
        // inherited, which spawned children get back (Go's initSigmask):
        // the same syscall tells it, start-up pays nothing more.
        Ok(old) if creator == NO_CREATOR_MASK => ksig::record_inherited_mask(old),
        Ok(_) => {}
        Err(e) => fatal_errno("runtime: rt_sigprocmask failed", e.0),
    }
}

/// The mask of the thread that last created an M, which the new M takes
/// in its minit (Go keeps it in `m.sigmask`; every creator has the same
/// runtime mask, so one word serves). m0 keeps its inherited mask.
static CREATOR_MASK: AtomicU64 = AtomicU64::new(NO_CREATOR_MASK);
/// CREATOR_MASK before any M was created (m0's minit). No creator has it:
/// every thread unblocks the kill and throw signals in its minit.
const NO_CREATOR_MASK: u64 = ksig::SIGSET_ALL;

/// Blocks every signal on this thread before `clone` and returns the mask
/// to give back with [`restore_after_clone`].
pub(crate) fn block_all_for_clone() -> u64 {
    match ksig::set_mask(ksig::SIGSET_ALL) {
        Ok(old) => {
            CREATOR_MASK.store(old, Relaxed);
            old
        }
        Err(e) => fatal_errno("runtime: rt_sigprocmask failed", e.0),
    }
}

/// Gives this thread its mask back after `clone`.
pub(crate) fn restore_after_clone(mask: u64) {
    if let Err(e) = ksig::set_mask(mask) {
        fatal_errno("runtime: rt_sigprocmask failed", e.0);
    }
}

/// Go's limit on the instruction bytes printed for SIGILL and SIGFPE.
const MAX_INSTRUCTION_BYTES: usize = 16;

/// `si_code` values of SIGFPE (`<asm-generic/siginfo.h>`).
const FPE_INTDIV: i32 = 1;
const FPE_INTOVF: i32 = 2;

/// Installs the handler for every signal of the table this module owns
/// (Go's `initsig` loop). Called once by `initsig` at start-up, after m0's
/// signal stack exists.
pub(crate) fn install() {
    for sig in 1..=ksig::SIGRTMAX {
        match disposition(sig) {
            Disposition::Kill | Disposition::Throw | Disposition::Panic | Disposition::Ignore => {}
            Disposition::System | Disposition::Elsewhere => continue,
        }
        // Go's sigInstallGoHandler: respect an inherited SIG_IGN for these.
        if (sig == ksig::SIGHUP || sig == ksig::SIGINT) && ksig::getsig(sig) == Ok(ksig::SIG_IGN) {
            sigqueue::note_inherited_ignored(sig);
            continue;
        }
        match install_one(sig) {
            Ok(()) => sigqueue::note_installed(sig),
            // qemu-user refuses the host real-time signals it keeps.
            Err(Errno::EINVAL) if sig >= ksig::SIGRTMIN_KERNEL => {}
            Err(e) => fatal_errno("runtime: rt_sigaction failed", e.0),
        }
    }
}

/// Installs this module's handler for `sig` (at start-up, and when
/// `os::signal` takes over a signal the runtime left alone: Go's
/// `setsig(sig, sighandler)` in `sigenable`).
pub(crate) fn install_one(sig: i32) -> Result<(), Errno> {
    ksig::sigaction_masked(sig, sighandler, HANDLER_MASK)
}

/// Go's `sighandler` for every signal but the faults and SIGPIPE: a real
/// divide error panics; then a signal some channel wants is queued for
/// `os::signal` (any signal of the notify class, and any sent by `kill`);
/// one sent by `kill` that the program ignored is dropped; then the
/// signal's default (the table above).
extern "C" fn sighandler(sig: i32, info: *mut SigInfo, ctx: *mut u8) {
    // Go: `doSigPreempt` first. A SIGURG may be sysmon's preemption
    // request: that one is the runtime's own and goes no further (Go
    // would hand it to a Notify(SIGURG) channel too).
    // SAFETY: ctx is the ucontext the kernel passed for this signal.
    if sig == ksig::SIGURG && unsafe { super::preempt::on_sigurg(ctx) } {
        return;
    }
    // SAFETY: the kernel passes a valid siginfo.
    let code = unsafe { (*info).code };
    let from_user = ksig::sent_by_user(code);
    let class = disposition(sig);
    if class == Disposition::Panic && !from_user {
        divide_error(code, ctx)
    }
    if (from_user || sigqueue::notify_class(sig)) && sigqueue::sigsend(sig) {
        return;
    }
    if from_user && sigqueue::signal_ignored(sig) {
        return;
    }
    match class {
        Disposition::Kill => die_from_signal(sig),
        Disposition::Throw | Disposition::Panic => dump(sig, info, ctx),
        // Ignore, and System signals that `os::signal` took over and no
        // channel wants any more (a race with `stop`): return, and the
        // interrupted system call is restarted (SA_RESTART) or returns
        // EINTR to a runtime caller that retries.
        _ => {}
    }
}

/// Yields that give a raised signal time to arrive before the fallback
/// exit (Go: three `osyield`s).
const YIELDS_AFTER_RAISE: usize = 3;

/// Go's `dieFromSignal`: give `sig` its default action back, unblock it
/// and send it to this thread, so the process ends by the signal itself;
/// exit 2 only if somehow still alive.
pub(crate) fn die_from_signal(sig: i32) -> ! {
    // Errors are not actionable here: the fallback below still ends us.
    let _ = ksig::setsig_default(sig);
    let _ = ksig::unblock(ksig::sigmask(sig));
    let _ = ksig::raise(sig);
    // The kernel delivers the pending signal on the way out of tgkill; if
    // it went to another thread, give that one a moment.
    for _ in 0..YIELDS_AFTER_RAISE {
        sched_yield();
    }
    exit_group(EXIT_FATAL)
}

/// The Throw path of Go's `sighandler`: the report described in the
/// module note, then exit 2.
fn dump(sig: i32, info: *const SigInfo, ctx: *const u8) -> ! {
    let mut w = match start_dying() {
        Dying::Owner(w) => w,
        // This thread died again while writing a report: exit as it
        // stands (what was formatted and not yet written is not written).
        Dying::Nested(_) => exit_group(EXIT_FATAL),
    };
    // SAFETY: the kernel passes a valid siginfo and ucontext.
    let (code, pc) = unsafe { ((*info).code, ksig::uc_word(ctx, ksig::UC_RIP)) };
    let gp = getg();
    // SAFETY: a non-null g from fs:-8 is a live G (never freed) whose m is
    // null or a live M (Ms are never freed).
    let m = unsafe { gp.as_ref().and_then(|g| g.m.as_ref()) };
    match signal_name(sig) {
        Some(name) => {
            let _ = writeln!(w, "{name}");
        }
        None => {
            let _ = writeln!(w, "signal {sig}");
        }
    }
    // Go prints si_code as a uint64 of the sign-extended int32.
    let _ = writeln!(
        w,
        "PC={:#x} m={} sigcode={}",
        pc,
        m.map_or(-1, |m| m.id),
        i64::from(code) as u64
    );
    if sig == ksig::SIGILL || sig == ksig::SIGFPE {
        let pc = pc as usize;
        let n = MAX_INSTRUCTION_BYTES.min(PAGE_SIZE - pc % PAGE_SIZE);
        let _ = write!(w, "instruction bytes:");
        for i in 0..n {
            // SAFETY: the PC's page holds the code that was running, so it
            // is mapped and readable; n stops at its end.
            let b = unsafe { core::ptr::read_volatile((pc + i) as *const u8) };
            let _ = write!(w, " {b:#x}");
        }
        let _ = writeln!(w);
    }
    // The interrupted goroutine (g0: `goroutine 0 [idle]`), the M's
    // current one, then every other (Go's goroutineheader and
    // tracebackothers).
    // SAFETY: ctx is the kernel's ucontext for this signal.
    let origin = unsafe { Origin::from_ucontext(gp, ctx) };
    traceback::goroutines(&mut w, Some(&origin), Kind::Signal);
    let _ = writeln!(w);
    for (name, off) in ksig::UC_GREGS {
        // SAFETY: UC_GREGS are offsets inside the kernel's ucontext.
        let v = unsafe { ksig::uc_word(ctx, off) };
        let _ = writeln!(w, "{name:<7}{v:#x}");
    }
    for (name, off) in [
        ("cs", ksig::UC_CS),
        ("fs", ksig::UC_FS),
        ("gs", ksig::UC_GS),
    ] {
        // SAFETY: UC_CS/FS/GS are the selectors' offsets inside the
        // kernel's ucontext at ctx.
        let v = unsafe { ksig::uc_half(ctx, off) };
        let _ = writeln!(w, "{name:<7}{v:#x}");
    }
    w.exit()
}

/// A divide error raised by the CPU (Go's `sigpanic` for SIGFPE, then
/// `panicdivide`, `panicoverflow` or `panicfloat`): Go's runtime-error
/// panic text, the goroutine's header, exit 2.
fn divide_error(code: i32, ctx: *const u8) -> ! {
    let mut w = match start_dying() {
        Dying::Owner(w) => w,
        // As in dump: a second death of this thread exits as it stands.
        Dying::Nested(_) => exit_group(EXIT_FATAL),
    };
    let what = match code {
        FPE_INTDIV => "integer divide by zero",
        FPE_INTOVF => "integer overflow",
        _ => "floating point error",
    };
    let _ = writeln!(w, "panic: runtime error: {what}");
    // SAFETY: ctx is the kernel's ucontext for this signal.
    let origin = unsafe { Origin::from_ucontext(getg(), ctx) };
    traceback::goroutines(&mut w, Some(&origin), Kind::Panic);
    w.exit()
}
