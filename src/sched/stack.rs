//! Goroutine and g0 stacks for the scheduler: `mem::stack`'s allocator,
//! with its failures reported as Go reports them (`stackalloc` in
//! stack.go throws). The allocator itself only returns errors.

use crate::mem::stack::{Stack, StackError};

/// A stack of `size` bytes (rounded up to pages) with a guard page below
/// it; ends the program with Go's out-of-memory report when the kernel
/// has no more.
pub fn stackalloc(size: usize) -> Stack {
    match crate::mem::stack::stackalloc(size) {
        Ok(st) => st,
        Err(e) => stack_failed(e),
    }
}

/// Reports a failed stack allocation (never returns).
#[cold]
#[inline(never)]
pub fn stack_failed(e: StackError) -> ! {
    match e {
        StackError::OutOfMemory { bytes, errno } => {
            crate::debug::fatal::out_of_memory_stack(bytes, errno.0)
        }
        StackError::Overflow => {
            crate::debug::fatal::throw("stackalloc: stack size overflows the address space")
        }
    }
}
