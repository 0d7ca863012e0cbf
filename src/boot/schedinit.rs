//! Go's `schedinit` (proc.go), in the seed's order: the M limit,
//! `mallocinit`, the stack sizes (`RT0_STACK`, `RT0_MAIN_STACK`: rt0's
//! own, `boot::stacksize`), `cpuinit` with GODEBUG, the random seed, `mcommoninit`
//! for m0, the timers as the scheduler's first wake-up source,
//! `parsedebugvars`, then GOMAXPROCS and `procresize` under `sched.lock`.
//!
//! GOMAXPROCS: a positive decimal that fits in an i32 wins (Go's
//! `atoi32`), anything else gives ncpu. rt0 caps it at [`MAX_GOMAXPROCS`]:
//! each P costs a 256-slot run queue and an allocation cache (about 3 KiB),
//! allocated up front, and a P beyond the 1024 CPUs `sched_getaffinity`
//! can report could never run in parallel anyway. Go 1.10+ has no cap;
//! there `GOMAXPROCS=2147483647` tries to allocate two billion Ps.

use super::godebug::{godebug_env, gomaxprocs};
use crate::sched::procresize::{mcommoninit, procresize};
use crate::sched::sched::{M0, sched};

/// Upper bound on GOMAXPROCS (see the module note).
pub const MAX_GOMAXPROCS: i32 = crate::sched::sched::MAX_PROCS as i32;

/// Go's `schedinit`. Called by rt0_go.
#[unsafe(export_name = "rt0_schedinit")] // called by rt0_go (src/arch/)
pub extern "C" fn schedinit() {
    let t0 = super::inittrace::clock();
    if let Err(e) = crate::mem::heap::mallocinit() {
        crate::sched::mcache::heap_failed(e);
    }
    // Before anything allocates a stack (m0init's signal stack).
    super::stacksize::init();
    let godebug = godebug_env();
    let t_cpu = super::inittrace::clock();
    // GODEBUG is bytes: invalid UTF-8 in one field must not hide the
    // cpu.* fields around it (Go's processOptions works on bytes). The
    // heap exists; the copy is made only when the value is not UTF-8.
    super::cpu::cpuinit(&alloc::string::String::from_utf8_lossy(godebug));
    super::inittrace::cpu_done(super::inittrace::clock() - t_cpu);
    crate::rand::fastrandinit(super::args::at_random_seed());
    crate::hash::seed(super::args::at_random_bytes());
    // SAFETY: m0 is the only thread during start-up.
    unsafe { mcommoninit(&mut *M0.get()) };
    crate::sched::newm::m0init();
    crate::sched::signal::initsig();
    crate::sched::sigpipe::initsigpipe();
    crate::time::timers::init();

    let s = sched();
    s.lock.lock();
    let requested = super::args::getenv_bytes("GOMAXPROCS");
    let procs = gomaxprocs(requested, super::osinit::ncpu()).min(MAX_GOMAXPROCS);
    // SAFETY: start-up, lock held, only m0 exists.
    let _ = unsafe { procresize(procs) };
    s.lock.unlock();
    super::inittrace::schedinit_done(procs, requested, super::inittrace::clock() - t0);
}
