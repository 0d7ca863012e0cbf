//! How the runtime reports: serialised dying (`dying`), fatal errors
//! (`throw`, `fatal`), panics, faults, and the goroutine section every
//! report shares (`traceback`, each goroutine's frames in `frames`,
//! walked by `cfi` and named by `elf`, `symbols` (with `demangle`), `lines` and `inlines`
//! from the running executable's symbol table, DWARF line tables and
//! tree of inlined calls (read with `dwarf`), through tables built at
//! first use, `table`); the bootstrap trace lives in `boot::inittrace`.
//!
//! The one public item is Go's `runtime/debug.PrintStack`, so that
//! programs write `rt0::debug::print_stack()` as Go programs write
//! `debug.PrintStack()`; everything else is the runtime's.

pub(crate) mod cfi;
pub(crate) mod demangle;
pub(crate) mod dwarf;
pub(crate) mod dying;
pub(crate) mod elf;
pub(crate) mod fatal;
pub(crate) mod frames;
pub(crate) mod inlines;
pub(crate) mod lines;
#[cfg(not(test))]
pub(crate) mod panic;
pub(crate) mod proto;
pub(crate) mod symbols;
pub(crate) mod table;
pub(crate) mod traceback;
#[cfg(not(test))]
pub(crate) mod unwind;

/// Writes the calling goroutine's stack to stderr (Go's
/// `debug.PrintStack`): `goroutine N [running]:` and its frames, as a
/// panic report prints them; [`crate::runtime::stack`] gives the same
/// text in a buffer.
pub fn print_stack() {
    let mut w = crate::print::Writer::stderr();
    traceback::stack(&mut w, false);
    w.flush();
}
