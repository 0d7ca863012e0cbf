//! Synchronisation that parks goroutines, never threads: Go's `sync`
//! package (`Mutex`, `WaitGroup`, `Once`) on a goroutine semaphore
//! (Go's `sema.go`).

pub mod mutex;
pub mod once;
pub mod sema;
pub mod waitgroup;

pub use mutex::{Mutex, MutexGuard, RawMutex};
pub use once::Once;
pub use waitgroup::WaitGroup;
