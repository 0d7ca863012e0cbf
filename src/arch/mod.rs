//! The machine layer (layer 0 of HACKING.md's "Layers"): every line of
//! assembly, the numbers it is assembled with, and the two things only an
//! instruction can do for the layers above, reading the current g from the
//! TLS slot ([`tls::getg_raw`]) and probing the CPU ([`cpu`]).
//!
//! Nothing here imports another module of the crate. The asm reads
//! structs that the scheduler owns (G, M, Gobuf): their offsets are plain
//! numbers in [`offsets`], and the scheduler asserts at compile time, with
//! `core::mem::offset_of!`, that its structs have them. Where the asm must
//! call up into a higher layer (rt0_go calls `check`, `args`, ...; mcall's
//! function is given, but goexit and mstart call the scheduler) it calls a
//! symbol by its link name (how Go's asm names `runtime·schedinit`); each
//! is defined with `#[unsafe(export_name = "...")]` by the layer that owns
//! it, and a missing one fails the link:
//!
//! | link name            | defined by                        | called from |
//! |----------------------|-----------------------------------|-------------|
//! | `rt0_g0`, `rt0_m0`   | `sched::sched::{G0, M0}` (statics)| entry.s     |
//! | `rt0_check`          | `boot::check::check`              | entry.s     |
//! | `rt0_args`           | `boot::args::args`                | entry.s     |
//! | `rt0_osinit`         | `boot::osinit::osinit`            | entry.s     |
//! | `rt0_schedinit`      | `boot::schedinit::schedinit`      | entry.s     |
//! | `rt0_runtime_main`   | `sched::runtime_main::runtime_main` | entry.s (its address) |
//! | `rt0_newproc_pc`     | `sched::proc::newproc_pc`         | entry.s     |
//! | `rt0_tls_failed`, `rt0_tls_mismatch` | `boot::entry`     | entry.s     |
//! | `rt0_goexit1`        | `sched::proc::goexit1`            | context.s   |
//! | `rt0_mstart1`        | `sched::schedule::mstart1`        | context.s   |
//! | `rt0_mcall_returned`, `rt0_mcall_on_g0` | `sched::context` | context.s |
//! | `rt0_async_preempt2` | `sched::preempt::async_preempt2` | preempt.s |
//!
//! Files: `entry.s` (`_start`, `rt0_go`), `context.s` (gogo, mcall,
//! systemstack, goexit, mstart), `clone.s` (the thread trampoline),
//! `spawn.s` (the vfork clone of a child process),
//! `signal.s` (sigtramp, sigreturn), `preempt.s` (the routine an
//! asynchronous preemption injects); each is assembled by the module of
//! the same name.

pub mod abi;
pub mod clone;
pub mod context;
pub mod cpu;
pub mod entry;
pub mod offsets;
pub mod preempt;
pub mod signal;
pub mod spawn;
pub mod tls;
