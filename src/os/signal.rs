//! Incoming signals delivered on channels: Go's `os/signal` (signal.go,
//! signal_unix.go) over the runtime's signal queue (`sched::sigqueue`,
//! Go's runtime/sigqueue.go).
//!
//! ```rust
//! use rt0::chan::Chan;
//! use rt0::os::signal::{self, Signal};
//! let c: Chan<Signal> = Chan::new(1);
//! signal::notify(&c, &[Signal::SIGINT, Signal::SIGTERM]);
//! signal::raise(Signal::SIGINT).unwrap(); // as Ctrl-C would
//! let sig = c.recv().unwrap(); // Ctrl-C no longer kills the program
//! assert_eq!(sig, Signal::SIGINT);
//! ```
//!
//! How a signal travels: the runtime's handler (on the signal stack, on
//! whatever thread the kernel chose) only sets the signal's bit in a
//! pending mask and wakes the receiver; it never runs program code and
//! never allocates. The receiver is one goroutine, started by the first
//! [`notify`] (Go's `watchSignalLoop`), that sleeps in the kernel until
//! signals are pending, takes them all, and for each sends it, without
//! blocking, to every channel registered for it: a full (or closed)
//! channel misses it, as in Go; size the channel for the bursts you
//! expect (1 is enough to learn "a SIGINT came"). Signals of one number
//! coalesce while the receiver is busy, as the kernel coalesces them
//! while they are pending: N signals sent fast may arrive fewer times.
//!
//! Dispositions (Go's rules, with Go's signal table as the default):
//! - a notified signal no longer has its default effect (a notified
//!   SIGINT, SIGTERM or SIGHUP does not kill; a notified SIGQUIT does not
//!   dump; a notified SIGTSTP does not stop the process);
//! - [`stop`]ping the last channel of a signal, or [`reset`], gives it its
//!   start-up action back (SIGINT kills again, SIGTSTP stops again);
//! - [`ignore`] makes the kernel discard it (`SIG_IGN`, which a child
//!   started later inherits, as in Go); [`reset`] undoes that too;
//!   [`ignored`] reports it, and SIGHUP/SIGINT inherited as ignored
//!   (`nohup`), which the runtime keeps ignored;
//! - signals raised by the faulting instruction (SIGSEGV, SIGBUS, SIGFPE,
//!   SIGILL, SIGTRAP) never reach a channel: the runtime reports them as
//!   Go does. Notify of them catches only the ones sent with `kill`;
//! - SIGPIPE: once notified, every SIGPIPE the kernel sends is delivered,
//!   whatever the file descriptor, and the write returns `EPIPE`; a broken
//!   stdout or stderr no longer kills the program (without `notify` it
//!   does, for fds 1 and 2 only: `sched::sigpipe`);
//! - SIGKILL and SIGSTOP cannot be caught: notifying them does nothing.
//!
//! Under qemu-user the emulator keeps some host real-time signals for
//! itself (the guest's `rt_sigaction` for them fails with `EINVAL`):
//! notifying one of those does nothing and it is never delivered.
//!
//! The receiver is an ordinary goroutine: until issue 11 brings
//! preemption, a program whose goroutines never yield (or that trade the
//! P through `runnext` forever, two goroutines ping-ponging on channels
//! at GOMAXPROCS=1) keeps it from running, and signals wait in the
//! pending mask until something yields.
//!
//! Invariants: the registry (which channel wants which signals) is
//! behind one goroutine [`Mutex`]; every change of a signal's action
//! happens under it, and the receiver sends under it, so once [`stop`]
//! returns the channel receives nothing more (Go's guarantee). Sends never
//! block, so holding the lock across them cannot stall a `notify`.

use alloc::vec::Vec;
use core::fmt;

use crate::chan::Chan;
use crate::io;
use crate::sched::sigqueue;
use crate::sync::Mutex;
use crate::sys::signal as ksig;

/// A Linux signal number (Go's `os.Signal` / `syscall.Signal`). The
/// constants name the standard ones; real-time signals come from
/// [`Signal::from_raw`] with their number (`SIGRTMIN` is 32 for the
/// kernel; libc and Go keep 32..=34 for themselves).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signal(i32);

/// Go's names and descriptions of the standard signals (its
/// `syscall.signals` table: the descriptions are glibc's `strsignal`).
const NAMES: [(&str, &str); 31] = [
    ("SIGHUP", "hangup"),
    ("SIGINT", "interrupt"),
    ("SIGQUIT", "quit"),
    ("SIGILL", "illegal instruction"),
    ("SIGTRAP", "trace/breakpoint trap"),
    ("SIGABRT", "aborted"),
    ("SIGBUS", "bus error"),
    ("SIGFPE", "floating point exception"),
    ("SIGKILL", "killed"),
    ("SIGUSR1", "user defined signal 1"),
    ("SIGSEGV", "segmentation fault"),
    ("SIGUSR2", "user defined signal 2"),
    ("SIGPIPE", "broken pipe"),
    ("SIGALRM", "alarm clock"),
    ("SIGTERM", "terminated"),
    ("SIGSTKFLT", "stack fault"),
    ("SIGCHLD", "child exited"),
    ("SIGCONT", "continued"),
    ("SIGSTOP", "stopped (signal)"),
    ("SIGTSTP", "stopped"),
    ("SIGTTIN", "stopped (tty input)"),
    ("SIGTTOU", "stopped (tty output)"),
    ("SIGURG", "urgent I/O condition"),
    ("SIGXCPU", "CPU time limit exceeded"),
    ("SIGXFSZ", "file size limit exceeded"),
    ("SIGVTALRM", "virtual timer expired"),
    ("SIGPROF", "profiling timer expired"),
    ("SIGWINCH", "window changed"),
    ("SIGIO", "I/O possible"),
    ("SIGPWR", "power failure"),
    ("SIGSYS", "bad system call"),
];

impl Signal {
    /// Hangup of the controlling terminal (`nohup` ignores it). Kills by default.
    pub const SIGHUP: Signal = Signal(ksig::SIGHUP);
    /// Ctrl-C (Go's `os.Interrupt`). Kills by default.
    pub const SIGINT: Signal = Signal(ksig::SIGINT);
    /// Ctrl-\. Go's goroutine dump and exit 2 by default.
    pub const SIGQUIT: Signal = Signal(ksig::SIGQUIT);
    /// Illegal instruction (delivered only when sent by `kill`).
    pub const SIGILL: Signal = Signal(ksig::SIGILL);
    /// Trace trap (delivered only when sent by `kill`).
    pub const SIGTRAP: Signal = Signal(ksig::SIGTRAP);
    /// `abort`. Dump and exit 2 by default.
    pub const SIGABRT: Signal = Signal(ksig::SIGABRT);
    /// Bus error (delivered only when sent by `kill`).
    pub const SIGBUS: Signal = Signal(ksig::SIGBUS);
    /// Arithmetic error (delivered only when sent by `kill`).
    pub const SIGFPE: Signal = Signal(ksig::SIGFPE);
    /// Cannot be caught or ignored (Go's `os.Kill`).
    pub const SIGKILL: Signal = Signal(ksig::SIGKILL);
    /// User-defined 1. Ignored by default.
    pub const SIGUSR1: Signal = Signal(ksig::SIGUSR1);
    /// Invalid memory access (delivered only when sent by `kill`).
    pub const SIGSEGV: Signal = Signal(ksig::SIGSEGV);
    /// User-defined 2. Ignored by default.
    pub const SIGUSR2: Signal = Signal(ksig::SIGUSR2);
    /// Write to a broken pipe (see the module note).
    pub const SIGPIPE: Signal = Signal(ksig::SIGPIPE);
    /// `alarm` expired. Ignored by default.
    pub const SIGALRM: Signal = Signal(ksig::SIGALRM);
    /// Polite termination (`kill`'s default). Kills by default.
    pub const SIGTERM: Signal = Signal(ksig::SIGTERM);
    /// Coprocessor stack fault (delivered only when sent by `kill`).
    pub const SIGSTKFLT: Signal = Signal(ksig::SIGSTKFLT);
    /// A child stopped or ended. Ignored by default.
    pub const SIGCHLD: Signal = Signal(ksig::SIGCHLD);
    /// Continue after a stop (the process continues whether notified or not).
    pub const SIGCONT: Signal = Signal(ksig::SIGCONT);
    /// Stops the process; cannot be caught.
    pub const SIGSTOP: Signal = Signal(ksig::SIGSTOP);
    /// Ctrl-Z. Stops the process by default.
    pub const SIGTSTP: Signal = Signal(ksig::SIGTSTP);
    /// Background read from the terminal. Stops by default.
    pub const SIGTTIN: Signal = Signal(ksig::SIGTTIN);
    /// Background write to the terminal. Stops by default.
    pub const SIGTTOU: Signal = Signal(ksig::SIGTTOU);
    /// Urgent socket data (Go also uses it to preempt goroutines).
    pub const SIGURG: Signal = Signal(ksig::SIGURG);
    /// CPU time limit exceeded. Ignored by default.
    pub const SIGXCPU: Signal = Signal(ksig::SIGXCPU);
    /// File size limit exceeded. Ignored by default (the write fails with `EFBIG`).
    pub const SIGXFSZ: Signal = Signal(ksig::SIGXFSZ);
    /// Virtual timer expired. Ignored by default.
    pub const SIGVTALRM: Signal = Signal(ksig::SIGVTALRM);
    /// Profiling timer expired. Ignored by default.
    pub const SIGPROF: Signal = Signal(ksig::SIGPROF);
    /// The terminal's window size changed. Ignored by default.
    pub const SIGWINCH: Signal = Signal(ksig::SIGWINCH);
    /// I/O possible on a descriptor set up for it. Ignored by default.
    pub const SIGIO: Signal = Signal(ksig::SIGIO);
    /// Power failure. Ignored by default.
    pub const SIGPWR: Signal = Signal(ksig::SIGPWR);
    /// Bad system call (delivered only when sent by `kill`).
    pub const SIGSYS: Signal = Signal(ksig::SIGSYS);

    /// The signal numbered `n`, if Linux has one (1..=64).
    pub const fn from_raw(n: i32) -> Option<Signal> {
        if sigqueue::valid(n) {
            Some(Signal(n))
        } else {
            None
        }
    }

    /// The signal's number.
    pub const fn as_raw(self) -> i32 {
        self.0
    }

    /// The constant's name (`"SIGINT"`), or `None` for a real-time signal.
    pub fn name(self) -> Option<&'static str> {
        NAMES.get((self.0 - 1) as usize).map(|&(n, _)| n)
    }
}

/// Go's `Signal.String()`: `interrupt`, `terminated`, ... (glibc's
/// `strsignal` texts), `signal N` for a real-time signal.
impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match NAMES.get((self.0 - 1) as usize) {
            Some(&(_, text)) => f.write_str(text),
            None => write!(f, "signal {}", self.0),
        }
    }
}

/// The name (`SIGINT`), or `Signal(N)` for a real-time signal.
impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Signal({})", self.0),
        }
    }
}

/// Every signal number: what an empty list means (Go's `numSig` loop).
const ALL: u64 = !0;

/// The set of `sigs` (bit `n - 1`), or every signal when empty.
fn set_of(sigs: &[Signal]) -> u64 {
    if sigs.is_empty() {
        return ALL;
    }
    sigs.iter().fold(0, |set, s| set | ksig::sigmask(s.0))
}

/// The signals of `set`, by number.
fn each(set: u64) -> impl Iterator<Item = i32> {
    (1..=ksig::SIGRTMAX).filter(move |&n| set & ksig::sigmask(n) != 0)
}

/// One notified channel and the signals it wants (Go's `handler`).
struct Entry {
    chan: Chan<Signal>,
    want: u64,
}

/// Who wants what, and whether the receiver runs (Go's `handlers`).
struct Registry {
    entries: Vec<Entry>,
    receiver_started: bool,
}

impl Registry {
    /// Signals some channel wants.
    fn wanted(&self) -> u64 {
        self.entries.iter().fold(0, |set, e| set | e.want)
    }

    fn find(&self, c: &Chan<Signal>) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| alloc::sync::Arc::ptr_eq(&e.chan.h, &c.h))
    }

    /// Takes the signals of `set` away from every channel (Go's `cancel`),
    /// dropping channels left with none; returns the signals some channel had.
    fn cancel(&mut self, set: u64) -> u64 {
        let had = self.wanted() & set;
        for e in &mut self.entries {
            e.want &= !set;
        }
        self.entries.retain(|e| e.want != 0);
        had
    }
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    entries: Vec::new(),
    receiver_started: false,
});

/// Delivers the signals of `sigs` to `c` (Go's `signal.Notify`); an empty
/// list means every signal. Calling it again with the same channel adds
/// to its set; several channels may be notified of one signal, and each
/// gets its own copy. Delivery never blocks: a full channel misses the
/// signal. From now on the signals no longer have their default effect
/// (see the module note).
pub fn notify(c: &Chan<Signal>, sigs: &[Signal]) {
    let set = set_of(sigs);
    let mut reg = REGISTRY.lock();
    if !reg.receiver_started {
        reg.receiver_started = true;
        crate::runtime::go(|| receive_loop());
    }
    let before = reg.wanted();
    match reg.find(c) {
        Some(i) => reg.entries[i].want |= set,
        None => reg.entries.push(Entry {
            chan: c.clone(),
            want: set,
        }),
    }
    for sig in each(set & !before) {
        sigqueue::enable(sig);
    }
}

/// Stops delivering signals to `c` (Go's `signal.Stop`). When it returns,
/// `c` receives no more signals. A signal no other channel wants gets
/// its start-up action back (SIGINT kills again). A channel that was never
/// notified is left alone.
pub fn stop(c: &Chan<Signal>) {
    let mut reg = REGISTRY.lock();
    let Some(i) = reg.find(c) else { return };
    let e = reg.entries.swap_remove(i);
    let still = reg.wanted();
    for sig in each(e.want & !still) {
        sigqueue::restore(sig);
    }
}

/// Makes the kernel discard the signals of `sigs` (Go's `signal.Ignore`;
/// empty: every signal): no channel receives them any more, and the
/// program is not affected by them. SIGKILL and SIGSTOP cannot be
/// ignored; a fault raised by an instruction is still reported.
pub fn ignore(sigs: &[Signal]) {
    let set = set_of(sigs);
    let mut reg = REGISTRY.lock();
    reg.cancel(set);
    for sig in each(set) {
        sigqueue::ignore(sig);
    }
}

/// Whether `sig` is ignored now (Go's `signal.Ignored`): by [`ignore`],
/// or inherited ignored from the parent (`nohup` for SIGHUP).
pub fn ignored(sig: Signal) -> bool {
    let _reg = REGISTRY.lock();
    sigqueue::ignored(sig.0)
}

/// Undoes [`notify`] and [`ignore`] for the signals of `sigs` (Go's
/// `signal.Reset`; empty: every signal): no channel receives them, and
/// each gets its start-up action back.
pub fn reset(sigs: &[Signal]) {
    let set = set_of(sigs);
    let mut reg = REGISTRY.lock();
    reg.cancel(set);
    for sig in each(set) {
        sigqueue::restore(sig);
    }
}

/// Sends `sig` to this process (Go's `syscall.Kill(os.Getpid(), sig)`;
/// C's `raise` signals the calling thread instead). The kernel gives it
/// to any thread that does not block it, so it arrives as one from
/// outside would, and [`notify`]'s channels see it like any other. An
/// unknown signal is `InvalidInput` (`EINVAL`).
pub fn raise(sig: Signal) -> io::Result<()> {
    ksig::kill(crate::sys::process::getpid(), sig.0).map_err(io::Error::from)
}

/// The receiver goroutine (Go's `signal.loop` and `process`): waits for
/// pending signals and sends each, without blocking, to every channel
/// that wants it.
fn receive_loop() -> ! {
    loop {
        let pending = sigqueue::signal_recv();
        let reg = REGISTRY.lock();
        for sig in each(pending) {
            let bit = ksig::sigmask(sig);
            for e in reg.entries.iter().filter(|e| e.want & bit != 0) {
                // Full or closed: this channel misses it (Go's select
                // with a default).
                let _ = e.chan.try_send(Signal(sig));
            }
        }
    }
}
