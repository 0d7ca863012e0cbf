//! loom model checks of rt0's lock-free protocols (`make models`).
//!
//! The models are the integration tests in `tests/`; `tests/common` holds
//! the loom stand-ins for what the protocols take from the runtime (a
//! blocking lock, a wait queue with park/ready, a futex) and includes the
//! runtime's own protocol files with `#[path]`, so that what loom checks
//! is the code the runtime runs, compiled over loom's atomics. loom is a
//! dev-dependency, so this library itself is empty.
