//! A bad memory access in a nested function, for the traceback tests
//! (tests/traceback.rs, against TB_FORMAT): the fault report's first frame
//! is the faulting function, at the exact pc of the faulting instruction.
//!
//! - `nil` (or no argument): main -> `fault_outer -> fault_middle ->
//!   fault_inner`, which writes through a pointer to address 8 (nil's
//!   page): Go's `panic: runtime error: invalid memory address or nil
//!   pointer dereference` and `[signal SIGSEGV: ...]`.
//! - `wild`: a goroutine (`wild_start -> fault_outer -> ... ->
//!   fault_inner`) writes to an address far from any mapping: `fatal
//!   error: fault` (`unexpected fault address`), while main waits in
//!   `main_wait` (chan receive); a fatal error lists every goroutine.
//!
//! The address goes through `black_box`, so the compiler can neither see
//! it nor drop the store. Functions are `#[inline(never)]`, use their
//! callee's result (no tail call), mix in their own constant (no function
//! merging), and the lines the test expects carry `// LINE:NAME`.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use core::hint::black_box;

use chanutil::{arg, usage};
use rt0::chan::Chan;
use rt0::runtime::go;

rt0::main!(main);

/// Inside the nil page (Go reports a nil dereference below 0x1000).
const NIL_ADDR: usize = 8;
/// Canonical, user half, never mapped by rt0 or the kernel for a static
/// non-PIE binary (text at 0x400000, heap and stacks from mmap far above).
const WILD_ADDR: usize = 0x0000_0dea_dbee_f000;

#[inline(never)]
fn fault_inner(addr: usize) -> u64 {
    let p = black_box(addr) as *mut u64;
    // SAFETY: none: the store faults on purpose; the test checks the report.
    unsafe { core::ptr::write_volatile(p, 0x5a) }; // LINE:fault_inner
    black_box(0x81)
}

#[inline(never)]
fn fault_middle(addr: usize) -> u64 {
    let r = fault_inner(black_box(addr)); // LINE:fault_middle
    black_box(r ^ 0x82)
}

#[inline(never)]
fn fault_outer(addr: usize) -> u64 {
    let r = fault_middle(black_box(addr)); // LINE:fault_outer
    black_box(r ^ 0x83)
}

#[inline(never)]
fn wild_start() {
    let r = fault_outer(black_box(WILD_ADDR)); // LINE:wild_start
    black_box(r ^ 0x84);
}

#[inline(never)]
fn main_wait(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0); // LINE:main_wait
    black_box(r ^ 0x85)
}

#[inline(never)]
fn main() {
    match arg(1) {
        "" | "nil" => {
            let r = fault_outer(black_box(NIL_ADDR)); // LINE:main
            rt0::println!("unreachable: {}", r);
        }
        "wild" => {
            let never: Chan<u32> = Chan::new(0);
            go(wild_start); // LINE:go_wild
            let r = main_wait(&never);
            rt0::println!("unreachable: {}", r);
        }
        other => usage(other),
    }
}
