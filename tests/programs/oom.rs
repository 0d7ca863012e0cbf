//! Allocates 1 MiB blocks forever and keeps them all: the
//! heap must end the program with Go's `fatal error: out of memory` and
//! exit status 2 when the kernel refuses more address space, never with a
//! fault. `tests/memory.rs` runs it under an RLIMIT_AS limit.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

rt0::main!(main);

fn main() {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = Vec::<u8>::with_capacity(1 << 20);
        // Touch the first and last byte: the block is really handed out,
        // while the run stays light on real memory (under qemu too).
        let last = block.capacity() - 1;
        // SAFETY: both offsets are below the capacity; written, never read.
        unsafe {
            block.as_mut_ptr().write(1);
            block.as_mut_ptr().add(last).write(2);
        }
        kept.push(block);
        if kept.len() > 1 << 20 {
            // A terabyte later: the limit did not work.
            rt0::println!("still allocating after {} MiB", kept.len());
            return;
        }
    }
}
