//! How the runtime reports: serialised dying (`dying`), fatal errors
//! (`throw`, `fatal`), panics, faults; the bootstrap trace lives in
//! `boot::inittrace`.

pub mod dying;
pub mod fatal;
#[cfg(not(test))]
pub mod panic;
#[cfg(not(test))]
pub mod unwind;
