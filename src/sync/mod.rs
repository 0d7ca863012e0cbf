//! Synchronisation that parks goroutines, never threads: Go's `sync`
//! package (`Mutex`, `WaitGroup`, `Once`) on a goroutine semaphore
//! (Go's `sema.go`). The protocols themselves live in `proto`, shared
//! with the loom models of `models/`.

mod mutex;
mod once;
pub(crate) mod proto;
pub(crate) mod sema;
mod waitgroup;

pub use mutex::{Mutex, MutexGuard, RawMutex};
pub use once::Once;
pub use waitgroup::WaitGroup;
