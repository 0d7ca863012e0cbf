//! What the bootstrap learned that the core reads: the CPU count (Go's
//! `ncpu`, from `osinit`) and the GODEBUG debug variables (Go's `debug`
//! struct, filled by `parsedebugvars`). The state lives here, in the
//! core; `boot` writes it during start-up (osinit, the early GODEBUG scan,
//! schedinit), before any other M exists, and nothing in the core or
//! below reads `boot` for it.

use core::sync::atomic::{AtomicI32, Ordering::Relaxed};

/// CPUs this process may run on (Go's `ncpu`): 1 until osinit stores the
/// affinity count.
pub static NCPU: AtomicI32 = AtomicI32::new(1);

/// CPUs this process may use (1 until osinit runs).
#[inline]
pub fn ncpu() -> i32 {
    NCPU.load(Relaxed)
}

/// The debug variables rt0 understands (Go's `dbgvars` subset).
pub struct DebugVars {
    /// `inittrace=1`: trace each bootstrap step to stderr.
    pub inittrace: AtomicI32,
    /// `schedtrace=MS`: print scheduler state every MS milliseconds.
    pub schedtrace: AtomicI32,
    /// `scheddetail=1`: with schedtrace, per-P/M/G detail.
    pub scheddetail: AtomicI32,
    /// `asyncpreemptoff=1`: no asynchronous preemption (sysmon still asks,
    /// nobody is interrupted).
    pub asyncpreemptoff: AtomicI32,
    /// `scavtrace=1`: a line per scavenger cycle that released memory
    /// (`sched::scavenge`).
    pub scavtrace: AtomicI32,
}

impl DebugVars {
    /// Every variable at its default (0: off), as before any GODEBUG.
    pub fn set_defaults(&self) {
        for v in [
            &self.inittrace,
            &self.schedtrace,
            &self.scheddetail,
            &self.asyncpreemptoff,
            &self.scavtrace,
        ] {
            v.store(0, Relaxed);
        }
    }
}

/// The process's debug variables (Go's `debug`), parsed by `boot::godebug`.
pub static DEBUG: DebugVars = DebugVars {
    inittrace: AtomicI32::new(0),
    schedtrace: AtomicI32::new(0),
    scheddetail: AtomicI32::new(0),
    asyncpreemptoff: AtomicI32::new(0),
    scavtrace: AtomicI32::new(0),
};

/// Is `GODEBUG=inittrace=1` (or any non-zero value) in effect?
#[inline]
pub fn inittrace() -> bool {
    DEBUG.inittrace.load(Relaxed) != 0
}
