//! Counts stdin's lines and bytes, reading it line by line through
//! `stdin().lock()` (`BufRead::read_until` into one reused buffer), and
//! prints `lines=N bytes=B`. The rt0 side of the line-reading benchmark
//! (scripts/bench_files.py, against Go's `bufio.Scanner` twin in
//! bench/go/lines and `wc -l`); tests/stdio.rs checks it against `wc`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use rt0::io::{self, BufRead};

rt0::main!(main);

/// A line longer than this still works; it only grows the buffer.
const LINE_CAPACITY: usize = 4096;

fn main() {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut line = Vec::with_capacity(LINE_CAPACITY);
    let (mut lines, mut bytes) = (0u64, 0u64);
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => {
                lines += 1;
                bytes += n as u64;
            }
            Err(e) => {
                rt0::eprintln!("stdio_count: {e}");
                rt0::process::exit(1);
            }
        }
    }
    rt0::println!("lines={lines} bytes={bytes}");
}
