//! How the runtime reports: serialised dying (`dying`), fatal errors
//! (`throw`, `fatal`), panics, faults, and the goroutine section every
//! report shares (`traceback`); the bootstrap trace lives in
//! `boot::inittrace`.

pub mod dying;
pub mod fatal;
#[cfg(not(test))]
pub mod panic;
pub(crate) mod traceback;
#[cfg(not(test))]
pub mod unwind;
