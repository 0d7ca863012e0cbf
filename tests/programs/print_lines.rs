//! Output as Go's: one `println!` is one whole line, however long, whatever
//! fd 1 and 2 are (a slow pipe, a non-blocking pipe, a broken pipe).
//! `tests/print.rs` runs every mode and checks what arrives.
//!
//! - `long G N [MAX]`: G goroutines each print N lines of pseudo-random
//!   length between 1 KiB and MAX bytes (default 61440) with `println!`.
//!   A line is `g=G i=I n=LEN ` and then letters up to LEN bytes with the
//!   newline: letter k of the line is `'a' + (G*7 + I + k) % 26`. The
//!   letters are formatted 100 at a time (many `write_str` calls), so the
//!   runtime must gather a long line across its formatting buffer. Each
//!   goroutine yields between lines; main waits for all and exits 0.
//! - `count N out|err`: prints N lines `line I` padded with dots to 100
//!   bytes, to fd 1 (`println!`) or fd 2 (`eprintln!`), then `finished`
//!   on the other one.
//! - `panic MS`: sleeps MS ms (the test closes stderr's reader meanwhile),
//!   then panics: the report meets a broken pipe on fd 2.
#![no_std]
#![no_main]

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};

rt0::main!(main);

/// Length of one line of `count` mode, newline included.
const COUNT_LINE: usize = 100;
/// Shortest line of `long` mode.
const MIN_LONG: usize = 1024;
/// Letters formatted per `write_str` call.
const CHUNK: usize = 100;
const LETTERS: u8 = 26;

/// The letters of line `i` of goroutine `g` from byte `from` up to byte
/// `to` (exclusive) of the line.
struct Letters {
    seed: usize,
    from: usize,
    to: usize,
}

impl fmt::Display for Letters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chunk = [0u8; CHUNK];
        let mut k = self.from;
        while k < self.to {
            let n = CHUNK.min(self.to - k);
            for (j, b) in chunk[..n].iter_mut().enumerate() {
                *b = b'a' + ((self.seed + k + j) % LETTERS as usize) as u8;
            }
            // ASCII letters are UTF-8.
            f.write_str(core::str::from_utf8(&chunk[..n]).map_err(|_| fmt::Error)?)?;
            k += n;
        }
        Ok(())
    }
}

/// Digits of `v` in decimal.
fn digits(mut v: usize) -> usize {
    let mut d = 1;
    while v >= 10 {
        v /= 10;
        d += 1;
    }
    d
}

/// xorshift64: the line lengths of `long` mode, the same on every run.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn long(goroutines: u64, lines: u64, max: usize) {
    static DONE: AtomicU64 = AtomicU64::new(0);
    for g in 0..goroutines {
        rt0::runtime::go(move || {
            let mut rng = 0x9e37_79b9_7f4a_7c15 ^ (g + 1);
            for i in 0..lines {
                let len = MIN_LONG + (next(&mut rng) as usize) % (max - MIN_LONG + 1);
                let (g, i) = (g as usize, i as usize);
                // "g=G i=I n=LEN ": 2 + 3 + 3 + 1 bytes besides the digits.
                let header = 9 + digits(g) + digits(i) + digits(len);
                let letters = Letters {
                    seed: g * 7 + i,
                    from: header,
                    to: len - 1,
                };
                rt0::println!("g={g} i={i} n={len} {letters}");
                rt0::runtime::gosched();
            }
            DONE.fetch_add(1, SeqCst);
        });
    }
    while DONE.load(SeqCst) != goroutines {
        rt0::runtime::gosched();
    }
}

/// Dots that pad `line I` to [`COUNT_LINE`] bytes.
struct Pad(usize);

impl fmt::Display for Pad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for _ in 0..self.0 {
            f.write_str(".")?;
        }
        Ok(())
    }
}

fn count(n: usize, to_stderr: bool) {
    for i in 0..n {
        // "line I " and the newline.
        let pad = Pad(COUNT_LINE - 6 - digits(i) - 1);
        if to_stderr {
            rt0::eprintln!("line {i} {pad}");
        } else {
            rt0::println!("line {i} {pad}");
        }
    }
    if to_stderr {
        rt0::println!("finished");
    } else {
        rt0::eprintln!("finished");
    }
}

fn usage() -> ! {
    rt0::eprintln!("usage: print_lines long G N [MAX] | count N out|err | panic MS");
    rt0::process::exit(64)
}

fn main() {
    match rt0::env::args().nth(1) {
        Some(b"long") => {
            let g = rt0::env::arg(2).unwrap_or_else(|| usage());
            let n = rt0::env::arg(3).unwrap_or_else(|| usage());
            let max: usize = rt0::env::arg(4).unwrap_or(60 * 1024);
            if max < MIN_LONG {
                usage();
            }
            long(g, n, max);
        }
        Some(b"count") => {
            let n = rt0::env::arg(2).unwrap_or_else(|| usage());
            match rt0::env::args().nth(3) {
                Some(b"out") => count(n, false),
                Some(b"err") => count(n, true),
                _ => usage(),
            }
        }
        Some(b"panic") => {
            let ms: u64 = rt0::env::arg(2).unwrap_or_else(|| usage());
            rt0::time::sleep(core::time::Duration::from_millis(ms));
            panic!("boom after {ms} ms");
        }
        _ => usage(),
    }
}
