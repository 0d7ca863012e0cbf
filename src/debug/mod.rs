//! How the runtime reports: serialised dying (`dying`), fatal errors
//! (`throw`, `fatal`), panics, faults, and the goroutine section every
//! report shares (`traceback`); the bootstrap trace lives in
//! `boot::inittrace`. The symbolizer the tracebacks use reads the running
//! executable (`elf`): function names from its symbol table (`symbols`),
//! files and lines from its DWARF line tables (`lines`), through tables
//! built at first use (`table`).

pub mod dying;
#[allow(dead_code)] // until the traceback printer (issue 12) calls it
pub(crate) mod elf;
pub mod fatal;
#[allow(dead_code)] // until the traceback printer (issue 12) calls it
pub(crate) mod lines;
#[cfg(not(test))]
pub mod panic;
#[allow(dead_code)] // until the traceback printer (issue 12) calls it
pub(crate) mod symbols;
#[allow(dead_code)] // until the traceback printer (issue 12) calls it
pub(crate) mod table;
pub(crate) mod traceback;
#[cfg(not(test))]
pub mod unwind;
