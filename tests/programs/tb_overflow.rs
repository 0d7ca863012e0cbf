//! Unbounded recursion on a goroutine, for the traceback tests
//! (tests/traceback.rs, against TB_FORMAT): the stack overflow report
//! shows the recursing function over and over, Go's elision line in the
//! middle, and at the end the frames that started it (`start`, then the
//! `created by` line).
//!
//! Main starts one goroutine (`start -> recurse -> recurse -> ...`) and
//! blocks in `main_wait` (chan receive) until the overflow ends the
//! program. `recurse` keeps a 64-byte local live across its call (no tail
//! call, no loop) and stays under a page (no stack probe); it is
//! `#[inline(never)]`, and the lines the test expects carry `// LINE:NAME`.
#![no_std]
#![no_main]
extern crate alloc;

use core::hint::black_box;

use rt0::chan::Chan;
use rt0::runtime::go;

rt0::main!(main);

#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let mut local = [0u8; 64];
    local[(depth % 64) as usize] = depth as u8;
    black_box(&mut local);
    let r = recurse(black_box(depth + 1)); // LINE:recurse
    r.wrapping_add(u64::from(local[(r % 64) as usize]))
}

#[inline(never)]
fn start() {
    let r = recurse(black_box(0)); // LINE:start
    black_box(r ^ 0x61);
}

#[inline(never)]
fn main_wait(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0); // LINE:main_wait
    black_box(r ^ 0x71)
}

#[inline(never)]
fn main() {
    let never: Chan<u32> = Chan::new(0);
    go(start); // LINE:go_start
    let r = main_wait(&never);
    rt0::println!("unreachable: {}", r);
}
