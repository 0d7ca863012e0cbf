//! How the runtime reports: fatal errors (`throw`, `fatal`), panics, and
//! the bootstrap trace lives in `boot::inittrace`.

pub mod fatal;
#[cfg(not(test))]
pub mod panic;
#[cfg(not(test))]
pub mod unwind;
