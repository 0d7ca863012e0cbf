//! Memory: the heap (`mallocinit`, size-class caches), goroutine stacks,
//! and the memcpy family that a program with no libc must bring itself,
//! with `memchr` for the readers that look for a byte.

pub mod heap;
pub mod malloc;
pub mod memchr;
#[cfg(not(test))]
pub mod memfuncs;
pub mod scavenge;
pub mod stack;

/// The page size the runtime is built for; `args` checks AT_PAGESZ against it.
pub const PAGE_SIZE: usize = 4096;
