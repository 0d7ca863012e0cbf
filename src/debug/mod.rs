//! How the runtime reports: serialised dying (`dying`), fatal errors
//! (`throw`, `fatal`), panics, faults, and the goroutine section every
//! report shares (`traceback`), and the stack unwinder it uses (`cfi`);
//! the bootstrap trace lives in `boot::inittrace`.

pub(crate) mod cfi;
pub mod dying;
pub mod fatal;
#[cfg(not(test))]
pub mod panic;
pub(crate) mod traceback;
#[cfg(not(test))]
pub mod unwind;
