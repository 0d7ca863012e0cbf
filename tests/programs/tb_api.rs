//! `rt0::runtime::stack` (Go's `runtime.Stack`) and
//! `rt0::debug::print_stack` (Go's `debug.PrintStack`), for the traceback
//! tests (tests/traceback.rs, against TB_FORMAT's "API").
//!
//! A goroutine parks first in `parked_outer -> parked_inner -> chan
//! receive`; then main calls `api_outer -> api_inner`, which writes, each
//! between `=== NAME` and `=== end` lines on stdout:
//!
//! - `single`: `stack(buf, false)`: the current goroutine only;
//! - `all`: `stack(buf, true)`: it, a blank line, every other goroutine;
//! - `short`: `stack(buf[..SHORT], true)`: what fits (the test checks it
//!   is the first SHORT bytes of `all`'s, or a prefix of it);
//! - the returned lengths, as `len single=N all=N short=N`;
//!
//! and `print_stack()` writes the current goroutine's stack to stderr.
//! The program then exits 0. Lines the test expects carry `// LINE:NAME`.
#![no_std]
#![no_main]
extern crate alloc;

#[path = "chanutil/mod.rs"]
mod chanutil;

use alloc::vec;
use core::hint::black_box;

use chanutil::wait_parked;
use rt0::chan::Chan;
use rt0::runtime::go;

rt0::main!(main);

/// Room for every goroutine's stack.
const BIG: usize = 64 * 1024;
/// A buffer too small for `all`: the truncation case.
const SHORT: usize = 100;

#[inline(never)]
fn parked_inner(c: &Chan<u32>) -> u32 {
    let r = c.recv().unwrap_or(0); // LINE:parked_inner
    black_box(r ^ 0xa1)
}

#[inline(never)]
fn parked_outer(c: &Chan<u32>) {
    let r = parked_inner(black_box(c)); // LINE:parked_outer
    black_box(r ^ 0xa2);
}

fn show(name: &str, text: &[u8]) {
    rt0::println!("=== {}", name);
    rt0::print!("{}", core::str::from_utf8(text).unwrap_or("<not UTF-8>\n"));
    rt0::println!("=== end");
}

#[inline(never)]
fn api_inner(tag: u64) -> u64 {
    let mut buf = vec![0u8; BIG];
    let single = rt0::runtime::stack(&mut buf, false); // LINE:stack_single
    show("single", &buf[..single]);
    let all = rt0::runtime::stack(&mut buf, true); // LINE:stack_all
    show("all", &buf[..all]);
    let mut small = [0u8; SHORT];
    let short = rt0::runtime::stack(&mut small, true);
    show("short", &small[..short.min(SHORT)]);
    rt0::println!("len single={} all={} short={}", single, all, short);
    rt0::debug::print_stack(); // LINE:print_stack
    black_box(tag ^ 0xa3)
}

#[inline(never)]
fn api_outer() -> u64 {
    let r = api_inner(black_box(0xa4)); // LINE:api_outer
    black_box(r ^ 0xa5)
}

#[inline(never)]
fn main() {
    let never: Chan<u32> = Chan::new(0);
    let c = never.clone();
    go(move || parked_outer(&c)); // LINE:go_parked
    wait_parked("chan receive", 1);
    let r = api_outer(); // LINE:main
    black_box(r);
}
