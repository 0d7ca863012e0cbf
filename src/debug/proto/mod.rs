//! The tracebacks' one lock-free protocol, the one-time build of their
//! tables, written once and compiled twice: here, into the runtime, over
//! core's atomics; and in the host crate `models/` (`#[path]` to the same
//! file), over loom's atomics, where loom checks every interleaving
//! (`make models`). The struct with a `const fn new` stays in
//! [`super::table`].

pub(crate) use core::sync::atomic::{AtomicU32, Ordering};

pub(crate) mod build_once;
