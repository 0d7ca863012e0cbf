//! argv/environment oracle: a plain std program, compiled by the tests
//! with `rustc -O`, that prints what `tests/programs/args_dump.rs` prints, learnt
//! through glibc and std instead of the runtime under test.
//!
//! argv comes from `std::env::args_os()` (glibc hands std the kernel's
//! argc/argv). The environment is read from glibc's `environ` rather than
//! `std::env::vars_os()`, because std skips entries without '=' and the
//! point is to see exactly the kernel's envp; glibc's `environ` is that
//! array, untouched, at the time `main` starts.

use std::ffi::{CStr, c_char};
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;

unsafe extern "C" {
    static environ: *const *const c_char;
}

fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(b as char);
        } else {
            write!(out, "\\x{b:02x}").unwrap();
        }
    }
    out
}

fn main() {
    let args: Vec<_> = std::env::args_os().collect();
    let mut env: Vec<&[u8]> = Vec::new();
    // SAFETY: environ is a NULL-terminated array of NUL-terminated strings
    // that nothing modifies while this single-threaded program reads it.
    unsafe {
        let mut p = environ;
        while !p.is_null() && !(*p).is_null() {
            env.push(CStr::from_ptr(*p).to_bytes());
            p = p.add(1);
        }
    }
    let mut out = String::new();
    writeln!(out, "argc={}", args.len()).unwrap();
    for (i, a) in args.iter().enumerate() {
        writeln!(out, "argv[{i}]={}", escape(a.as_bytes())).unwrap();
    }
    writeln!(out, "envc={}", env.len()).unwrap();
    for (i, e) in env.iter().enumerate() {
        writeln!(out, "env[{i}]={}", escape(e)).unwrap();
    }
    print!("{out}");
}
