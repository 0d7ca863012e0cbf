//! M: an OS thread. Go's `m` in `runtime2.go`.
//!
//! `g0`, `curg` and `tls` are read by asm (src/arch/); their offsets are
//! `arch::offsets`' numbers, pinned in `src/sched/context.rs`. The thread's FS base is `&tls[1]`, so the
//! current g sits in `tls[0]` at `fs:-8` (Go's `settls` on linux/amd64).

use core::sync::atomic::AtomicBool;

use super::g::{G, Stack};
use super::lock::Note;
use super::p::P;

/// gopark's commit function (Go's `waitunlockf`): runs on g0 once the
/// parking goroutine is off its M, with the `lock` argument gopark was
/// given; false resumes the goroutine.
///
/// # Safety
/// Whoever passes one to [`gopark`](super::schedule::gopark) vouches that
/// calling it with the parked goroutine and that `lock` is sound: `lock`
/// points at what the function expects, alive until the goroutine runs
/// again.
pub type UnlockFn = unsafe fn(*mut G, *mut u8) -> bool;

/// Slots in `m.tls` (Go's `tlsSlots`). Slot 0 holds the current g.
pub const TLS_SLOTS: usize = 6;

#[repr(C)]
pub struct M {
    // ---- accessed by asm: offsets pinned in context.rs, do not change ----
    /// The goroutine with the scheduling stack.
    pub g0: *mut G,
    /// The user goroutine running on this M, or null.
    pub curg: *mut G,
    /// Thread-local storage: FS = &tls[1], g = tls[0].
    pub tls: [usize; TLS_SLOTS],
    // ---- private to the Rust side ----
    /// The P this M holds while it runs Go code, or null.
    pub p: *mut P,
    /// The P to acquire when the M starts.
    pub nextp: *mut P,
    pub id: i64,
    /// Kernel thread id.
    pub procid: i32,
    /// Looking for work without a goroutine to run.
    pub spinning: AtomicBool,
    /// Link on the idle-M list.
    pub schedlink: *mut M,
    /// Link on the all-M list.
    pub alllink: *mut M,
    /// Set by gopark for park_m: called on g0 after the goroutine is parked;
    /// returning false resumes the goroutine instead (Go's `waitunlockf`).
    pub waitunlockf: Option<UnlockFn>,
    pub waitlock: *mut u8,
    /// An idle M sleeps here until `startm` hands it a P (Go's `m.park`).
    pub park: Note,
    /// The signal stack (`sigaltstack`) the fault handler runs on.
    pub gsignal_stack: Stack,
    /// Where a panic on this M began: the panicking g, and pc, sp, bp
    /// there (`arch::context::here`), kept here by the panic handler so
    /// that nothing but the call to g0 sits on a goroutine's stack that
    /// may be almost full (`debug::panic`).
    pub panic_origin: [usize; 4],
    /// This M's random state (Go's `m.fastrand`).
    pub fastrand: u64,
    /// A runtime thread that never holds a P (sysmon): not counted by checkdead.
    pub is_system: bool,
    /// What the M's thread runs once its g0 is linked (Go's `m.mstartfn`):
    /// set by `newm`, called by `newm::mstart_entry`.
    pub mstartfn: Option<extern "C" fn() -> !>,
    /// The P this M left in `PSYSCALL` when its goroutine entered a system
    /// call (Go's `m.oldp`): `exitsyscall` tries to take it back.
    pub oldp: *mut P,
    /// A SIGURG sent by sysmon has not been handled yet (Go's
    /// `m.signalPending`): sysmon sends no second one meanwhile.
    pub signal_pending: AtomicBool,
    /// The goroutine locked to this M (`lock_os_thread`), or null (Go's
    /// `m.lockedg`): while set, the M runs nothing else and sleeps in
    /// `stoplockedm` whenever that goroutine does not run.
    pub lockedg: *mut G,
    /// Nesting depth of `lock_os_thread` calls (Go 1.10+'s `lockedExt`):
    /// each lock needs an unlock; the goroutine is unlocked at 0.
    pub locked_ext: u32,
}

// SAFETY: Ms are shared across threads only through the scheduler's locks.
unsafe impl Send for M {}
// SAFETY: the fields other threads touch are atomics (`spinning`), the
// `park` note, or written only under `sched.lock` (`nextp`, `schedlink`
// while idle); everything else is used by the M's own thread.
unsafe impl Sync for M {}

impl M {
    pub const fn new() -> M {
        M {
            g0: core::ptr::null_mut(),
            curg: core::ptr::null_mut(),
            tls: [0; TLS_SLOTS],
            p: core::ptr::null_mut(),
            nextp: core::ptr::null_mut(),
            id: -1,
            procid: 0,
            spinning: AtomicBool::new(false),
            schedlink: core::ptr::null_mut(),
            alllink: core::ptr::null_mut(),
            waitunlockf: None,
            waitlock: core::ptr::null_mut(),
            park: Note::new(),
            gsignal_stack: Stack { lo: 0, hi: 0 },
            panic_origin: [0; 4],
            fastrand: 0,
            is_system: false,
            mstartfn: None,
            oldp: core::ptr::null_mut(),
            signal_pending: AtomicBool::new(false),
            lockedg: core::ptr::null_mut(),
            locked_ext: 0,
        }
    }
}
