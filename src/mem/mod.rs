//! Memory: the heap (`mallocinit`, size-class caches), goroutine stacks,
//! and the memcpy family that a program with no libc must bring itself.

pub mod heap;
pub mod malloc;
#[cfg(not(test))]
pub mod memfuncs;
pub mod stack;

/// The page size the runtime is built for; `args` checks AT_PAGESZ against it.
pub const PAGE_SIZE: usize = 4096;
