//! Prints argc, every argv entry and every environment entry exactly as
//! the runtime received them, one per line, with every byte outside
//! printable ASCII (and the backslash) written as `\xNN`:
//!
//! ```text
//! argc=N
//! argv[0]=...
//! envc=N
//! env[0]=KEY=value
//! ```
//!
//! `tests/oracle/args_oracle.rs` prints the same from std under the same
//! execve; `tests/args_env.rs` compares the two.
#![no_std]
#![no_main]

use core::fmt::Write;

rt0::main!(main);

/// Writes `bytes` hex-escaped into `out`.
fn escape(out: &mut alloc::string::String, bytes: &[u8]) {
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(b as char);
        } else {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
}

extern crate alloc;

fn main() {
    let mut line = alloc::string::String::new();
    rt0::println!("argc={}", rt0::env::args().len());
    for (i, a) in rt0::env::args().enumerate() {
        line.clear();
        escape(&mut line, a);
        rt0::println!("argv[{i}]={line}");
    }
    rt0::println!("envc={}", rt0::env::vars().len());
    for (i, e) in rt0::env::vars().enumerate() {
        line.clear();
        escape(&mut line, e);
        rt0::println!("env[{i}]={line}");
    }
}
